// `npm run emulator -- [--port N] [--data DIR | --in-memory] [--host-name H] [--ready-file F] …`
// Starts the Key Vault emulator and the managed-identity endpoint; Ctrl-C stops both.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeJsonAtomic } from '../shared/atomicFile.js';
import { onStopRequest } from '../shared/stopSignals.js';
import { DEFAULT_FAULTS, faultPatchSchema, type FaultConfig } from './faults.js';
import { parseVaultAliases, startEmulator, type RunningEmulator } from './index.js';
import { parseTimingPreset } from './timing.js';

const USAGE = `Usage: kv-emulator [options]
  --port N                 HTTPS port (default 8443; 0 = any free port); further vaults use the next ports
  --vaults A,B             serve several vaults by alias, one port each (lowercase letters, digits, hyphens,
                           1-24 characters); the first is the default vault (default: one unnamed vault)
  --data DIR               persist vaults, identity key and CA under DIR (default .local/keyvault)
  --in-memory              keep vault data in memory (CA under the temp dir unless --ca-dir)
  --host-name H            host name in the vault URL (default localhost; must resolve locally)
  --bind ADDR              listen address (default 127.0.0.1)
  --ready-file F           write {vaultUrl, vaults, caFile, identityEndpoint, identityHeader, tenantId, principals, adminUrl, adminToken} to F (0600)
  --ca-dir DIR             where the local CA lives
  --identity-port N        identity endpoint port (default any free port)
  --identity-header V      IDENTITY_HEADER value (default random)
  --tenant ID              tenant id (default: persisted random id)
  --user-assigned NAME     add a user-assigned identity (repeatable)
  --roles FILE             role assignments JSON: [{"principal":"system","role":"Key Vault Secrets Officer"}]
  --recoverable-days N     soft-delete retention, 7-90 (0 = no soft delete)
  --purge-protection       refuse purges
  --admin-token T          the x-emulator-admin-token /_emulator routes require (default: random, printed)
  --faults JSON            initial faults, e.g. '{"throttleRate":0.1,"latencyMs":50}' (see PUT /_emulator/faults)
  --throttle               enforce the real limit (4,000 requests / 10 s per vault)
  --timing MODEL           realistic (default: long-running steps take as long as in the service) or instant
  --certificate-create-ms N   how long a certificate create (issuer Self) stays inProgress
  --delete-ms N            how long a soft delete takes before the deleted object can be read
  --recover-ms N           how long a recovery takes before the object can be read
  --purge-ms N             how long a purge takes before the name can be reused
  --help`;

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} must be a non-negative integer, got '${value}'`);
  return Number(value);
}

async function writeReadyFile(file: string, emulator: RunningEmulator): Promise<void> {
  await writeJsonAtomic(path.resolve(file), {
    vaultUrl: emulator.vaultUrl,
    vaults: Object.fromEntries(Object.entries(emulator.vaults).map(([alias, vault]) => [alias, vault.url])),
    caFile: emulator.caFile,
    identityEndpoint: emulator.identityEndpoint,
    identityHeader: emulator.identityHeader,
    tenantId: emulator.tenantId,
    principals: emulator.principals,
    adminUrl: emulator.adminUrl,
    adminToken: emulator.adminToken,
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      vaults: { type: 'string' },
      data: { type: 'string' },
      'in-memory': { type: 'boolean' },
      'host-name': { type: 'string' },
      bind: { type: 'string' },
      'ready-file': { type: 'string' },
      'ca-dir': { type: 'string' },
      'identity-port': { type: 'string' },
      'identity-header': { type: 'string' },
      tenant: { type: 'string' },
      'user-assigned': { type: 'string', multiple: true },
      roles: { type: 'string' },
      'recoverable-days': { type: 'string' },
      'purge-protection': { type: 'boolean' },
      'admin-token': { type: 'string' },
      faults: { type: 'string' },
      throttle: { type: 'boolean' },
      timing: { type: 'string' },
      'certificate-create-ms': { type: 'string' },
      'delete-ms': { type: 'string' },
      'recover-ms': { type: 'string' },
      'purge-ms': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.data && values['in-memory']) throw new Error('--data and --in-memory are mutually exclusive');
  const inMemory = values['in-memory'] ?? false;
  let faults: Partial<FaultConfig> = {};
  if (values.faults) {
    try {
      faults = faultPatchSchema.parse(JSON.parse(values.faults)) as Partial<FaultConfig>;
    } catch (error) {
      throw new Error(`--faults must be a JSON fault configuration: ${(error as Error).message}`, { cause: error });
    }
  }
  if (values.throttle) faults = { ...faults, limit: { ...DEFAULT_FAULTS.limit, ...faults.limit, enabled: true } };
  const emulator = await startEmulator({
    port: integer(values.port, 'port') ?? 8443,
    vaults: values.vaults === undefined ? undefined : parseVaultAliases(values.vaults),
    dataDir: inMemory ? undefined : (values.data ?? path.join('.local', 'keyvault')),
    inMemory,
    hostName: values['host-name'],
    bindAddress: values.bind,
    caDir: values['ca-dir'],
    tenantId: values.tenant,
    identity: {
      port: integer(values['identity-port'], 'identity-port'),
      identityHeader: values['identity-header'],
      tenantId: values.tenant,
      userAssigned: (values['user-assigned'] ?? []).map((name) => ({ name })),
    },
    roleAssignmentsFile: values.roles,
    recoverableDays: integer(values['recoverable-days'], 'recoverable-days'),
    purgeProtection: values['purge-protection'],
    adminToken: values['admin-token'] ?? randomBytes(24).toString('base64url'),
    faults,
    timing: parseTimingPreset(values.timing ?? 'realistic'),
    certificateCreateMs: integer(values['certificate-create-ms'], 'certificate-create-ms'),
    deleteMs: integer(values['delete-ms'], 'delete-ms'),
    recoverMs: integer(values['recover-ms'], 'recover-ms'),
    purgeMs: integer(values['purge-ms'], 'purge-ms'),
  });
  if (values['ready-file']) await writeReadyFile(values['ready-file'], emulator);

  const vaults = Object.values(emulator.vaults);
  if (vaults.length === 1) console.log(`Key Vault emulator   ${emulator.vaultUrl}`);
  else for (const vault of vaults) console.log(`Vault ${vault.alias.padEnd(14)} ${vault.url}${vault.url === emulator.vaultUrl ? '  (default)' : ''}`);
  console.log(`Admin                ${vaults.length === 1 ? emulator.adminUrl : '<vault URL>/_emulator'}  (header x-emulator-admin-token: ${emulator.adminToken})`);
  const { timing: model, ...durations } = emulator.settings;
  console.log(
    `Timing               ${model} ${Object.entries(durations)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  console.log(`CA certificate       ${emulator.caFile}`);
  console.log(`Identity endpoint    ${emulator.identityEndpoint}`);
  console.log(`Tenant               ${emulator.tenantId}`);
  for (const p of emulator.principals) {
    console.log(`Identity ${p.name.padEnd(12)} clientId=${p.clientId} objectId=${p.objectId} roles=${p.roles.join(', ') || '(none)'}`);
  }
  console.log('Client environment:');
  for (const [key, value] of Object.entries(emulator.env)) console.log(`  ${key}=${value}`);

  onStopRequest((reason) => {
    console.log(`${reason}: stopping`);
    emulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}

main().catch((error: unknown) => {
  console.error(`kv-emulator: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
