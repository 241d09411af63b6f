// A second copy of the app with its own Key Vault emulator, for tests that change the vault's
// faults or role assignments, or the app's settings, without disturbing the shared stack.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { DEFAULT_ROLE_ASSIGNMENTS, startEmulator, type EmulatorOptions, type RunningEmulator } from '../../local/keyvault/index.js';
import { startHostProcess, type RunningHostProcess } from '../../local/stack/hostProcess.js';
import { freePort } from '../../local/stack/ports.js';
import { ApiClient } from './api.js';
import { startQueueProxy, type QueueProxy } from './queueProxy.js';

export interface IsolatedApp {
  api: ApiClient;
  /** This app's own queue and table names (the shared stack's Azurite is shared). */
  jobsQueue: string;
  eventsQueue: string;
  operationsTable: string;
  /** The storage account this app uses (the shared stack's). */
  storageConnectionString: string;
  /** With `queueProxy`: the proxy the app reaches its queues through (it can refuse sends). */
  queueProxy?: QueueProxy;
  emulator: RunningEmulator;
  host: RunningHostProcess;
  /** Everything the host printed. */
  output(): string;
  /** SIGKILLs the host process (its worker dies with it) and starts it again on the same port. */
  crashAndRestartHost(): Promise<void>;
  stop(): Promise<void>;
}

const repoRoot = path.resolve(import.meta.dirname, '../..');

export interface IsolatedAppOptions {
  settings?: Record<string, string>;
  emulator?: EmulatorOptions;
  /** Another copy of the app (default: this repository). */
  appDir?: string;
  /** `identity`: no connection string; the settings must carry AzureWebJobsStorage__* instead. */
  storage?: 'connectionString' | 'identity';
  /** The app reaches its queues through a proxy that can be told to refuse sends. */
  queueProxy?: boolean;
}

export async function startIsolatedApp(options: IsolatedAppOptions = {}): Promise<IsolatedApp> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'isolated-app-'));
  const storage = inject('storage');
  const queueProxy = options.queueProxy ? await startQueueProxy(storage) : undefined;
  const cleanUp = async () => queueProxy?.close();
  // The shared stack's CA, which test processes already trust (NODE_EXTRA_CA_CERTS).
  const caDir = path.dirname(inject('stack').vault.caFile);
  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({
      inMemory: true,
      caDir,
      roleAssignments: [...DEFAULT_ROLE_ASSIGNMENTS, { principal: 'system', role: 'Key Vault Reader' }],
      ...options.emulator,
    });
  } catch (error) {
    await cleanUp();
    throw error;
  }
  let output = '';
  const suffix = Math.random().toString(36).slice(2, 10);
  const names = { JOBS_QUEUE: `jobs-${suffix}`, EVENTS_QUEUE: `events-${suffix}`, OPERATIONS_TABLE: `ops${suffix}` };
  try {
    const connection: Record<string, string> = options.storage === 'identity' ? {} : { AzureWebJobsStorage: (queueProxy ?? storage).connectionString };
    const hostOptions = {
      appDir: options.appDir ?? repoRoot,
      port: await freePort(),
      readyFile: path.join(dataDir, 'ready.json'),
      dataDir: path.join(dataDir, 'host'),
      // Purge is allowed unless a test's settings say ALLOW_PURGE=false.
      env: { ...connection, ...emulator.env, KEYVAULT_LOCAL: 'true', ALLOW_PURGE: 'true', ...names, ...options.settings },
      output: (chunk: string) => (output += chunk),
    };
    let host = await startHostProcess(hostOptions);
    return {
      api: new ApiClient(`${host.baseUrl}/api`, host.functionKey),
      jobsQueue: names.JOBS_QUEUE,
      eventsQueue: names.EVENTS_QUEUE,
      operationsTable: names.OPERATIONS_TABLE,
      storageConnectionString: storage.connectionString,
      queueProxy,
      emulator,
      get host() {
        return host;
      },
      output: () => output,
      async crashAndRestartHost() {
        const exited = new Promise((resolve) => host.child.once('exit', resolve));
        host.child.kill('SIGKILL');
        await exited;
        host = await startHostProcess(hostOptions);
      },
      async stop() {
        await host.stop();
        await emulator.stop();
        await cleanUp();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await emulator.stop();
    await cleanUp();
    throw error;
  }
}

/** PUT JSON to the emulator's /_emulator admin routes. */
export async function emulatorAdmin(emulator: RunningEmulator, route: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${emulator.adminUrl}/${route}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...emulator.adminHeaders },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`emulator admin ${route}: ${response.status} ${await response.text()}`);
  return response.json();
}

export interface EmulatorCounters {
  total: number;
  /** Key Vault operation name (e.g. `createCertificate`) → calls and answers by status code. */
  operations: Record<string, { calls: number; statuses: Record<string, number> }>;
}

/** The emulator's per-operation call counters (GET /_emulator/counters). */
export async function emulatorCounters(emulator: RunningEmulator): Promise<EmulatorCounters> {
  const response = await fetch(`${emulator.adminUrl}/counters`, { headers: emulator.adminHeaders });
  if (!response.ok) throw new Error(`emulator admin counters: ${response.status} ${await response.text()}`);
  return (await response.json()) as EmulatorCounters;
}
