// `npm start`: the whole local stack with this app, until Ctrl-C, SIGTERM (to npm or to this
// process) or SIGHUP.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { onStopRequest } from '../shared/stopSignals.js';
import { parseVaultAliases } from '../keyvault/index.js';
import { parseTimingPreset } from '../keyvault/timing.js';
import { startStack, type RunningStack } from './index.js';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    'ready-file': { type: 'string' },
    port: { type: 'string' },
    'random-ports': { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    timing: { type: 'string', default: 'realistic' },
    'purge-protection': { type: 'boolean', default: false },
    'in-memory': { type: 'boolean', default: false },
    vaults: { type: 'string' },
  },
});

let starting: Promise<RunningStack> | undefined;
let stopping = false;
// Output may go to a pipe whose reader is gone (npm killed): that must not stop the clean-up.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
onStopRequest((reason) => {
  stopping = true;
  console.log(`\n${reason}: stopping the local stack…`);
  // Also during start-up: wait for what is starting, then stop all of it.
  void (async () => {
    const stack = await starting?.catch(() => undefined);
    await stack?.stop();
    process.exit(0);
  })();
});

try {
  starting = startStack({
    vaults: values.vaults === undefined ? undefined : parseVaultAliases(values.vaults),
    appDir,
    ports: values['random-ports'] ? 'random' : 'fixed',
    dataDir: values['data-dir'] ? path.resolve(values['data-dir']) : undefined,
    hostPort: values.port ? Number(values.port) : undefined,
    timing: parseTimingPreset(values.timing),
    purgeProtection: values['purge-protection'],
    inMemory: values['in-memory'],
    // Always written: the stack's own tools find the keys and the emulator's admin token there.
    readyFile: path.resolve(values['ready-file'] ?? path.join(values['data-dir'] ?? path.join(appDir, '.local'), 'ready.json')),
  });
  const stack = await starting;
  if (!stopping) printReadyTable(stack);
} catch (error) {
  console.error(`\nThe local stack could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

/** One row per vault: `Key Vault` alone, or `Key Vault <alias>` when vaults are named. */
function vaultRows(running: RunningStack): [string, string][] {
  const about = `emulator, ${running.emulator.settings.timing} timing${values['purge-protection'] ? ', purge protection' : ''}; CA ${running.vault.caFile}`;
  if (values.vaults === undefined) return [['Key Vault', `${running.vault.url}  (${about})`]];
  return Object.entries(running.vaults).map(([alias, url], index) => [
    `Key Vault ${alias}`,
    index === 0 ? `${url}  (default vault, KEYVAULT_URL; ${about})` : `${url}  (KEYVAULTS)`,
  ]);
}

function printReadyTable(running: RunningStack): void {
  const rows: [string, string][] = [
    ['Functions API', running.apiBaseUrl],
    ['Health', `${running.apiBaseUrl}/health`],
    ['Function key', `${running.functionKey}  (header x-functions-key or ?code=)`],
    ['API docs', `${running.apiBaseUrl}/docs`],
    ['Dashboard', `${running.apiBaseUrl}/dashboard?code=${encodeURIComponent(running.functionKey)}`],
    ...vaultRows(running),
    ['Identity', `${running.identity.endpoint}  (App Service managed identity)`],
    ['Queues', running.storage.queueUrl],
    ['Tables', running.storage.tableUrl],
    ['Blobs', running.storage.blobUrl],
    ['Data', running.dataDir],
    ['Ready file', `${running.readyFile}  (0600: keys and the emulator's admin token)`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log('\nLocal stack ready (Ctrl-C stops everything):\n');
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
  console.log('');
}
