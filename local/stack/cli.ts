// `npm start`: the whole local stack with this app, until Ctrl-C / SIGTERM.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startStack, type RunningStack } from './index.js';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    'ready-file': { type: 'string' },
    port: { type: 'string' },
    'random-ports': { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
  },
});

let starting: Promise<RunningStack> | undefined;
let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal} received: stopping the local stack…`);
  // Also during start-up: wait for what is starting, then stop all of it.
  const stack = await starting?.catch(() => undefined);
  await stack?.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  starting = startStack({
    appDir,
    ports: values['random-ports'] ? 'random' : 'fixed',
    dataDir: values['data-dir'] ? path.resolve(values['data-dir']) : undefined,
    hostPort: values.port ? Number(values.port) : undefined,
    readyFile: values['ready-file'] ? path.resolve(values['ready-file']) : undefined,
  });
  const stack = await starting;
  if (!stopping) printReadyTable(stack);
} catch (error) {
  console.error(`\nThe local stack could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

function printReadyTable(running: RunningStack): void {
  const rows: [string, string][] = [
    ['Functions API', running.apiBaseUrl],
    ['Health', `${running.apiBaseUrl}/health`],
    ['Function key', `${running.functionKey}  (header x-functions-key or ?code=)`],
    ['API docs', `${running.apiBaseUrl}/docs`],
    ['Key Vault', `${running.vault.url}  (emulator; CA ${running.vault.caFile})`],
    ['Identity', `${running.identity.endpoint}  (App Service managed identity)`],
    ['Queues', running.storage.queueUrl],
    ['Tables', running.storage.tableUrl],
    ['Blobs', running.storage.blobUrl],
    ['Data', running.dataDir],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log('\nLocal stack ready (Ctrl-C stops everything):\n');
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
  console.log('');
}
