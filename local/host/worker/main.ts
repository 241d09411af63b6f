// Worker process entry (forked by ../workerProcess.ts): installs the core module, loads the app,
// runs appStart hooks, locks registration, reports the functions, then serves invocations.
import type { LogLevel } from '../contracts.js';
import { CoreRegistry, createCoreModule, installCoreModule } from './coreModule.js';
import { runInvocation } from './invocation.js';
import { loadEntryPoints } from './loader.js';
import { createLogEmitter } from './logEmitter.js';
import type { HostToWorker, WorkerLogCategory, WorkerToHost } from './protocol.js';

function send(message: WorkerToHost): void {
  if (process.connected) process.send?.(message);
}

// A host that died (even by SIGKILL) closes the IPC channel: never outlive it.
process.on('disconnect', () => process.exit(0));

const appDir = process.argv[2] ?? process.cwd();
const registry = new CoreRegistry();
const appHookData: Record<string, unknown> = {};
const appLevelHookData: Record<string, unknown> = {};
const emitLog = createLogEmitter(registry, appHookData, (level, category, message, functionName) =>
  send({ type: 'log', level, category, message, ...(functionName ? { functionName } : {}) }),
);

installCoreModule(
  createCoreModule(registry, (level: LogLevel, category: string, message: string) => {
    const workerCategory: WorkerLogCategory = category === 'user' ? 'user' : 'system';
    emitLog(level, workerCategory, message);
  }),
);

async function start(): Promise<void> {
  await loadEntryPoints(appDir);
  for (const hook of registry.hooks.appStart) {
    await hook({ hookData: appLevelHookData, appHookData, functionAppDirectory: appDir });
  }
  registry.locked = true;
  const model = registry.programmingModel;
  if (model) {
    const capabilities = await model.getCapabilities({});
    if (capabilities['HttpUri']) {
      throw new Error('HTTP streaming (app.setup({ enableHttpStream: true })) is not supported by the local host');
    }
  }
  send({ type: 'indexed', functions: [...registry.functions.values()].map((entry) => entry.metadata) });
}

async function terminate(): Promise<void> {
  for (const hook of registry.hooks.appTerminate) {
    try {
      await hook({ hookData: appLevelHookData, appHookData });
    } catch (err) {
      emitLog('error', 'system', `appTerminate hook failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  send({ type: 'terminated' });
}

process.on('message', (message: HostToWorker) => {
  if (message.type === 'invoke') {
    void runInvocation(registry, appHookData, emitLog, message.invocationId, message.request).then((result) => send({ type: 'result', result }));
  } else if (message.type === 'terminate') {
    void terminate();
  }
});

start().catch((err: unknown) => {
  send({ type: 'startFailed', message: err instanceof Error ? err.message : String(err) });
});
