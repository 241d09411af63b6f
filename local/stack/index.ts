import { copyFile, mkdir, writeFile, rename, access } from 'node:fs/promises';
import path from 'node:path';
import { startAzurite, type RunningAzurite } from './azurite.js';
import { startHostProcess, type RunningHostProcess } from './hostProcess.js';
import { assertPortFree, freePort } from './ports.js';

export interface StackOptions {
  /** The Functions app folder (this repository). */
  appDir: string;
  /** Everything the stack keeps: Azurite data, host keys, CA, vault data. Default `<appDir>/.local`. */
  dataDir?: string;
  /** `fixed` = the usual local ports (7071, 10000-10002); `random` = free ports (tests). */
  ports?: 'fixed' | 'random';
  /** Host HTTP port (wins over `ports`). */
  hostPort?: number;
  /** Azurite keeps everything in memory (tests). */
  inMemory?: boolean;
  readyFile?: string;
  /** Host output; default: this process's stdout. */
  output?: (chunk: string) => void;
}

export interface StackReadyFile {
  apiBaseUrl: string;
  functionKey: string;
  masterKey: string;
  storage: { queueUrl: string; tableUrl: string; blobUrl: string; connectionString: string };
  dataDir: string;
}

export interface RunningStack extends StackReadyFile {
  host: RunningHostProcess;
  /** Stops the host and starts it again with the same settings (crash and restart tests). */
  restartHost(): Promise<RunningHostProcess>;
  stop(): Promise<void>;
}

const FIXED_PORTS = { host: 7071, blob: 10000, queue: 10001, table: 10002 };

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const dataDir = options.dataDir ?? path.join(options.appDir, '.local');
  await mkdir(dataDir, { recursive: true });
  await ensureLocalSettings(options.appDir);

  const random = options.ports === 'random';
  // Check the fixed ports before starting anything, so that a busy one fails at once.
  const hostPort = options.hostPort ?? (random ? await freePort() : FIXED_PORTS.host);
  await assertPortFree(hostPort, 'the Functions host');
  const stopping: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stopping.reverse()) await stop().catch(() => undefined);
  };

  try {
    const azurite: RunningAzurite = await startAzurite({
      location: path.join(dataDir, 'azurite'),
      inMemory: options.inMemory,
      ...(random ? {} : { blobPort: FIXED_PORTS.blob, queuePort: FIXED_PORTS.queue, tablePort: FIXED_PORTS.table }),
    });
    stopping.push(() => azurite.stop());

    const hostOptions = {
      appDir: options.appDir,
      port: hostPort,
      readyFile: path.join(dataDir, 'host-ready.json'),
      dataDir: path.join(dataDir, 'host'),
      env: { AzureWebJobsStorage: azurite.connectionString },
      output: options.output,
    };
    let host = await startHostProcess(hostOptions);
    stopping.push(() => host.stop());

    const ready: StackReadyFile = {
      apiBaseUrl: `${host.baseUrl}/api`,
      functionKey: host.functionKey,
      masterKey: host.masterKey,
      storage: {
        queueUrl: azurite.queueUrl,
        tableUrl: azurite.tableUrl,
        blobUrl: azurite.blobUrl,
        connectionString: azurite.connectionString,
      },
      dataDir,
    };
    if (options.readyFile) await writeJsonAtomically(options.readyFile, ready);

    return {
      ...ready,
      get host() {
        return host;
      },
      async restartHost() {
        await host.stop();
        host = await startHostProcess(hostOptions);
        return host;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** First run: local.settings.json is created from the committed example. */
async function ensureLocalSettings(appDir: string): Promise<void> {
  const target = path.join(appDir, 'local.settings.json');
  try {
    await access(target);
  } catch {
    await copyFile(path.join(appDir, 'local.settings.json.example'), target);
  }
}

export async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(temporary, JSON.stringify(value, null, 2) + '\n');
  await rename(temporary, file);
}
