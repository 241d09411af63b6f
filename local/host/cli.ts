// `npm run host -- --app <dir> [--port N] [--bind ADDR] [--ready-file F] [--data-dir D]`: the local
// Functions host for any v4 Node app folder; stops gracefully on SIGINT/SIGTERM/SIGHUP, and when
// the process that started it goes away.
import { parseArgs } from 'node:util';
import { onStopRequest } from '../shared/stopSignals.js';
import { startHost } from './index.js';

const USAGE = 'Usage: npm run host -- --app <dir> [--port N] [--bind ADDR (default 127.0.0.1)] [--ready-file F] [--data-dir D]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      app: { type: 'string' },
      port: { type: 'string', short: 'p' },
      bind: { type: 'string' },
      'ready-file': { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.app) throw new Error(`--app is required. ${USAGE}`);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new Error(`--port must be an integer between 0 and 65535 (got '${values.port}')`);
  }
  const host = await startHost({
    appDir: values.app,
    ...(port !== undefined ? { port } : {}),
    ...(values.bind ? { bindAddress: values.bind } : {}),
    ...(values['ready-file'] ? { readyFile: values['ready-file'] } : {}),
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
  });
  onStopRequest(() => {
    host.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}

main().catch((err: unknown) => {
  console.error(`Host start-up failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
