import { randomBytes } from 'node:crypto';
import { access, copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_ROLE_ASSIGNMENTS, startEmulator, type EmulatorPrincipal, type RunningEmulator, type TimingPreset } from '../keyvault/index.js';
import { writeJsonAtomic } from '../shared/atomicFile.js';
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
  /** Azurite and the vault keep everything in memory (tests). */
  inMemory?: boolean;
  /** Key Vault emulator HTTPS port when ports are fixed (default 8443); further vaults use the
   * next ports. */
  vaultPort?: number;
  /** Serve several vaults by alias, one emulator listener each; the first is the default vault
   * (`KEYVAULT_URL`), and the host also gets `KEYVAULTS` (`alias=url,…`) when there are more.
   * Default: one vault, as before. */
  vaults?: string[];
  /** The emulator's timing model (default `realistic`: deletes, recoveries, purges and certificate
   * creations take as long as in Azure). */
  timing?: TimingPreset;
  /** The vault refuses every purge, as one with purge protection does (infra/ turns it on in Azure). */
  purgeProtection?: boolean;
  readyFile?: string;
  /** App settings that win over local.settings.json (as real environment variables do). */
  settings?: Record<string, string>;
  /** Host output; default: this process's stdout. */
  output?: (chunk: string) => void;
}

export interface StackReadyFile {
  apiBaseUrl: string;
  functionKey: string;
  masterKey: string;
  storage: { queueUrl: string; tableUrl: string; blobUrl: string; connectionString: string };
  /** `adminToken` goes in header `x-emulator-admin-token` on `adminUrl` routes (the file is 0600). */
  vault: { url: string; caFile: string; adminUrl: string; adminToken: string };
  /** Every vault's URL by alias (`default` when vaults are not named); admin routes are at
   * `<url>/_emulator` with the same admin token. */
  vaults: Record<string, string>;
  identity: { endpoint: string; header: string; tenantId: string; principals: EmulatorPrincipal[] };
  dataDir: string;
}

export interface RunningStack extends StackReadyFile {
  readyFile: string | undefined;
  host: RunningHostProcess;
  emulator: RunningEmulator;
  /** Stops the host and starts it again with the same settings (crash and restart tests). */
  restartHost(): Promise<RunningHostProcess>;
  stop(): Promise<void>;
}

const FIXED_PORTS = { host: 7071, vault: 8443, blob: 10000, queue: 10001, table: 10002 };

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
    for (const stop of [...stopping].reverse()) await stop().catch(() => undefined);
  };

  try {
    const azurite: RunningAzurite = await startAzurite({
      location: path.join(dataDir, 'azurite'),
      inMemory: options.inMemory,
      ...(random ? {} : { blobPort: FIXED_PORTS.blob, queuePort: FIXED_PORTS.queue, tablePort: FIXED_PORTS.table }),
    });
    stopping.push(() => azurite.stop());

    const emulator = await startEmulator({
      port: random ? 0 : (options.vaultPort ?? FIXED_PORTS.vault),
      vaults: options.vaults,
      adminToken: randomBytes(24).toString('base64url'),
      inMemory: options.inMemory,
      dataDir: path.join(dataDir, 'vault'),
      timing: options.timing ?? 'realistic',
      purgeProtection: options.purgeProtection,
      // The app's identity: Secrets Officer and Certificates Officer, plus Reader so that it can
      // read the public key behind a certificate (GET /api/keys/{name}); infra/ grants the same.
      roleAssignments: [...DEFAULT_ROLE_ASSIGNMENTS, { principal: 'system', role: 'Key Vault Reader' }],
    });
    stopping.push(() => emulator.stop());

    const hostOptions = {
      appDir: options.appDir,
      port: hostPort,
      readyFile: path.join(dataDir, 'host-ready.json'),
      dataDir: path.join(dataDir, 'host'),
      // What App Service would provide: the identity endpoint, plus the vault and storage settings
      // (KEYVAULTS too, with several vaults) and trust for the local CA. KEYVAULT_LOCAL lets the app accept a vault named localhost.
      env: { AzureWebJobsStorage: azurite.connectionString, ...emulator.env, KEYVAULT_LOCAL: 'true', ...options.settings },
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
      vault: { url: emulator.vaultUrl, caFile: emulator.caFile, adminUrl: emulator.adminUrl, adminToken: emulator.adminToken! },
      vaults: Object.fromEntries(Object.entries(emulator.vaults).map(([alias, vault]) => [alias, vault.url])),
      identity: {
        endpoint: emulator.identityEndpoint,
        header: emulator.identityHeader,
        tenantId: emulator.tenantId,
        principals: emulator.principals,
      },
      dataDir,
    };
    if (options.readyFile) await writeJsonAtomic(options.readyFile, ready);

    return {
      ...ready,
      readyFile: options.readyFile,
      emulator,
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
