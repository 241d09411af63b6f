// Public API of the local Functions host: startHost() loads an app folder the way Azure Functions
// Core Tools would and serves it until stop().
import path from 'node:path';
import { writeFileAtomicSync } from '../shared/atomicFile.js';
import type { FunctionInfo, HostContext, TriggerListener } from './contracts.js';
import { indexFunctions, isDisabled, isHttpFunction } from './functionIndex.js';
import { functionTimeoutMs, readHostJson, routePrefix } from './hostJson.js';
import { createCorsPolicy } from './http/cors.js';
import { HttpRouter } from './http/router.js';
import { createHostServer, DEFAULT_BODY_LIMIT, listen, type HttpFrontEnd } from './http/server.js';
import { Invoker } from './invoker.js';
import { loadOrCreateKeys } from './keys.js';
import { createTriggerListener } from './listeners.js';
import { createConsoleLogger, formatLine } from './logging.js';
import { buildEnvironment, createAppSettings, readLocalSettings } from './settings.js';
import { WorkerProcess } from './workerProcess.js';

export interface StartHostOptions {
  appDir: string;
  /** Default: local.settings.json Host.LocalHttpPort, else 7071; 0 = any free port. */
  port?: number;
  /** Listen address; default 127.0.0.1 (loopback only: the keys are the only guard). */
  bindAddress?: string;
  /** Host state (keys, timer status); default `<appDir>/.local/host`. */
  dataDir?: string;
  /** Settings that win over the environment and local.settings.json. */
  env?: Record<string, string>;
  /** Written atomically once the host is listening and indexed. */
  readyFile?: string;
  /** Receives every output line; default: stdout. */
  log?: (line: string) => void;
}

export interface HostedFunction {
  name: string;
  trigger: string;
  route?: string;
  methods?: string[];
}

export interface RunningHost {
  /** `http://localhost:<port>`, without the route prefix. */
  baseUrl: string;
  port: number;
  /** The address the HTTP server is bound to. */
  bindAddress: string;
  functionKey: string;
  masterKey: string;
  functions: HostedFunction[];
  stop(): Promise<void>;
}

const DEFAULT_BIND_ADDRESS = '127.0.0.1';
const DRAIN_TIMEOUT_MS = 30_000;
const TERMINATE_HOOKS_TIMEOUT_MS = 10_000;

export async function startHost(options: StartHostOptions): Promise<RunningHost> {
  const appDir = path.resolve(options.appDir);
  const dataDir = path.resolve(options.dataDir ?? path.join(appDir, '.local', 'host'));
  const write = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));

  const local = readLocalSettings(appDir);
  const pendingWarnings: string[] = [];
  const baseEnv = buildEnvironment(local.values, process.env, options.env ?? {}, (m) => pendingWarnings.push(m));
  const hostJson = readHostJson(appDir, baseEnv);
  const logger = createConsoleLogger(hostJson, write);
  for (const warning of pendingWarnings) logger.log('warning', 'Host.Startup', warning);
  if (!hostJson['extensionBundle']) {
    logger.log('warning', 'Host.Startup', 'host.json has no "extensionBundle"; Azure needs it for non-HTTP triggers and bindings.');
  }
  const runtime = baseEnv['FUNCTIONS_WORKER_RUNTIME'];
  if (runtime !== undefined && runtime.toLowerCase() !== 'node') {
    logger.log('warning', 'Host.Startup', `FUNCTIONS_WORKER_RUNTIME is '${runtime}', but this host only runs Node.js apps.`);
  }
  const timeoutMs = functionTimeoutMs(hostJson);
  const prefix = routePrefix(hostJson);
  const keys = loadOrCreateKeys(dataDir);
  const port = options.port ?? local.localHttpPort ?? 7071;

  let resolveFrontEnd!: (fe: HttpFrontEnd) => void;
  let rejectFrontEnd!: (err: Error) => void;
  const frontEnd = new Promise<HttpFrontEnd>((resolve, reject) => {
    resolveFrontEnd = resolve;
    rejectFrontEnd = reject;
  });
  frontEnd.catch(() => undefined);
  const server = createHostServer(frontEnd);
  const bindAddress = options.bindAddress ?? DEFAULT_BIND_ADDRESS;
  const boundPort = await listen(server, port, bindAddress);
  const baseUrl = `http://localhost:${boundPort}`;

  const env: Record<string, string> = {
    FUNCTIONS_WORKER_RUNTIME: 'node',
    ...baseEnv,
    AZURE_FUNCTIONS_ENVIRONMENT: 'Development',
    WEBSITE_HOSTNAME: `localhost:${boundPort}`,
    AzureWebJobsScriptRoot: appDir,
  };
  const settings = createAppSettings(env, local.connectionStrings);
  const worker = new WorkerProcess({
    appDir,
    env,
    logger,
    functionTimeoutMs: timeoutMs,
    functionTimeoutText: hostJson.functionTimeout ?? '00:30:00',
  });

  let stopping = false;
  const listeners = new Map<string, TriggerListener>();
  try {
    const functions = indexFunctions(await worker.start(), hostJson);
    const router = new HttpRouter(functions.filter(isHttpFunction), prefix);
    const disabled = new Set(functions.filter((fn) => isDisabled(fn, settings)).map((fn) => fn.name));
    const notifyQueueWrite = (queue: string): void => {
      for (const listener of listeners.values()) listener.onQueueWrite?.(queue);
    };
    const invoker = new Invoker(worker, functions, logger, { settings, hostJson, logger, notifyQueueWrite });
    const ctx: HostContext = { appDir, dataDir, settings, hostJson, invoke: invoker.invoke, logger, notifyQueueWrite };

    for (const fn of functions.filter((f) => !isHttpFunction(f))) listeners.set(fn.name, createTriggerListener(fn, ctx));
    for (const [name, listener] of listeners) if (!disabled.has(name)) await listener.start();

    const startedAt = performance.now();
    resolveFrontEnd({
      router,
      keys,
      invoke: invoker.invoke,
      settings,
      logger,
      cors: createCorsPolicy(local.cors, local.corsCredentials),
      bodyLimit: Number(settings.get('FUNCTIONS_REQUEST_BODY_SIZE_LIMIT') ?? DEFAULT_BODY_LIMIT),
      disabled,
      admin: { functions, listeners, logger, startedAt },
      isStopping: () => stopping,
    });

    const hosted = describeFunctions(functions, router);
    printListing(write, hosted, disabled, baseUrl);
    if (options.readyFile) {
      writeReadyFile(options.readyFile, { baseUrl, bindAddress, functionKey: keys.functionKeys['default']!, masterKey: keys.masterKey, functions: hosted });
    }

    const stop = once(async () => {
      stopping = true;
      logger.log('information', 'Host.General', 'Stopping the host.');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.all([...listeners.values()].map((l) => l.stop().catch((err: unknown) => logStopError(logger, err))));
      await invoker.drain(DRAIN_TIMEOUT_MS);
      await worker.terminate(TERMINATE_HOOKS_TIMEOUT_MS);
      server.closeAllConnections();
      await closed;
      logger.log('information', 'Host.General', 'Host stopped.');
    });
    return { baseUrl, port: boundPort, bindAddress, functionKey: keys.functionKeys['default']!, masterKey: keys.masterKey, functions: hosted, stop };
  } catch (err) {
    stopping = true;
    rejectFrontEnd(err as Error);
    await Promise.all([...listeners.values()].map((l) => l.stop().catch(() => undefined)));
    worker.kill();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw err;
  }
}

function describeFunctions(functions: readonly FunctionInfo[], router: HttpRouter): HostedFunction[] {
  return functions.map((fn) => {
    const route = router.routes.find((r) => r.fn === fn);
    if (!route) return { name: fn.name, trigger: fn.trigger.type };
    return {
      name: fn.name,
      trigger: fn.trigger.type,
      route: route.template.text,
      ...(route.methods.length > 0 ? { methods: route.methods } : {}),
    };
  });
}

/** Like Core Tools: `Functions:` then one line per function (URLs only, never keys). */
function printListing(write: (line: string) => void, functions: HostedFunction[], disabled: Set<string>, baseUrl: string): void {
  write('');
  write('Functions:');
  for (const fn of functions) {
    const suffix = disabled.has(fn.name) ? ' (disabled)' : '';
    if (fn.route !== undefined) {
      const methods = fn.methods ? `[${fn.methods.join(',')}]` : '[ALL]';
      write(`  ${fn.name}: ${methods} ${baseUrl}/${fn.route}${suffix}`);
    } else {
      write(`  ${fn.name}: ${fn.trigger}${suffix}`);
    }
  }
  write('');
  write(formatLine('Host started.'));
}

function writeReadyFile(file: string, content: object): void {
  writeFileAtomicSync(path.resolve(file), JSON.stringify(content, null, 2));
}

function logStopError(logger: { log: (l: 'error', c: string, m: string) => void }, err: unknown): void {
  logger.log('error', 'Host.General', `A trigger listener failed to stop: ${(err as Error).message}`);
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
