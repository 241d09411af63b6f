// Programmatic API of the Key Vault emulator (used by the local stack, tests and cli.ts).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startIdentityEndpoint, SYSTEM_ASSIGNED, type IdentityEndpointOptions, type IdentityPrincipal, type RunningIdentityEndpoint } from '../identity/index.js';
import { defaultCaDir, ensureLocalCa, issueServerCertificate } from '../tls/index.js';
import { registerAdminRoutes } from './admin/routes.js';
import { TokenVerifier } from './auth/jwt.js';
import { isRoleName, RoleAssignments, type RoleAssignment, type RoleName } from './auth/roles.js';
import type { VaultPolicy } from './context.js';
import { CallCounters } from './counters.js';
import { DEFAULT_FAULTS, FaultInjector, mergeFaults, type FaultConfig } from './faults.js';
import { RECOVERABLE_DAYS_DEFAULT, RECOVERABLE_DAYS_MAX, RECOVERABLE_DAYS_MIN } from './limits.js';
import { operations } from './routes.js';
import { ADMIN_PREFIX, ADMIN_TOKEN_HEADER, buildKeyVaultServer } from './server.js';
import { FileVaultStore } from './store/file.js';
import { MemoryVaultStore } from './store/memory.js';
import type { VaultStore } from './store/types.js';
import { initialSettings, type EmulatorSettings, type TimingDurations, type TimingPreset } from './timing.js';

export type { FaultConfig } from './faults.js';
export type { EmulatorSettings, TimingDurations, TimingPreset } from './timing.js';
export type { RoleName } from './auth/roles.js';
export { BuiltInRoles, DataActions } from './auth/roles.js';

/** A role assignment in configuration: `principal` is an identity name (`system`, a
 * user-assigned name) or an object id. */
export interface RoleAssignmentConfig {
  principal: string;
  role: RoleName;
  /** Limit to one vault (first label of its host name). */
  vault?: string;
}

export const DEFAULT_ROLE_ASSIGNMENTS: readonly RoleAssignmentConfig[] = [
  { principal: SYSTEM_ASSIGNED, role: 'Key Vault Secrets Officer' },
  { principal: SYSTEM_ASSIGNED, role: 'Key Vault Certificates Officer' },
];

/** The timing model (timing.ts): a preset, default `realistic`, and durations that win over it. */
export interface EmulatorOptions extends Partial<TimingDurations> {
  timing?: TimingPreset;
  /** HTTPS port; 0 (default) = any free port. */
  port?: number;
  /** Listen address; default `127.0.0.1`. */
  bindAddress?: string;
  /** Host name in `vaultUrl` (must resolve to the bind address); default `localhost`. */
  hostName?: string;
  /** Data folder: store under `<dataDir>/keyvault`, identity state under `<dataDir>/identity`,
   * CA under `<dataDir>/ca` (unless caDir). */
  dataDir?: string;
  /** Keep vault data in memory (default when no dataDir). */
  inMemory?: boolean;
  /** Where the local CA lives (a folder of this user's only, see ensureLocalCa); default
   * `<dataDir>/ca`, or this user's data directory in memory. */
  caDir?: string;
  tenantId?: string;
  /** Use an already running identity endpoint, or options to start one. */
  identity?: RunningIdentityEndpoint | IdentityEndpointOptions;
  /** Default: the system-assigned identity gets Secrets Officer + Certificates Officer. */
  roleAssignments?: readonly RoleAssignmentConfig[];
  /** JSON file with a RoleAssignmentConfig[]; overrides roleAssignments. */
  roleAssignmentsFile?: string;
  /** Soft-delete retention, 7–90 (default 90); 0 disables soft delete. */
  recoverableDays?: number;
  purgeProtection?: boolean;
  faults?: Partial<FaultConfig>;
  /** Overrides the challenge `resource` (default: host minus first label). */
  challengeResource?: string;
  /** Require `x-emulator-admin-token` on /_emulator routes. */
  adminToken?: string;
  /** Unexpected errors (500s). Default: one line on stderr, without request data. */
  onInternalError?: (error: unknown, requestId: string) => void;
}

export interface EmulatorPrincipal extends IdentityPrincipal {
  roles: RoleName[];
}

export interface RunningEmulator {
  vaultUrl: string;
  port: number;
  caFile: string;
  caPem: string;
  identityEndpoint: string;
  identityHeader: string;
  tenantId: string;
  principals: EmulatorPrincipal[];
  /** `<vaultUrl>/_emulator` */
  adminUrl: string;
  /** Required in header `x-emulator-admin-token` on admin routes, when set. */
  adminToken: string | undefined;
  /** Headers an admin request needs (the admin token, when there is one). */
  adminHeaders: Record<string, string>;
  identity: RunningIdentityEndpoint;
  store: VaultStore;
  faults: FaultInjector;
  counters: CallCounters;
  settings: EmulatorSettings;
  roles: RoleAssignments;
  /** Env for a client process: IDENTITY_ENDPOINT, IDENTITY_HEADER, NODE_EXTRA_CA_CERTS, KEYVAULT_URL. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

function isRunningIdentity(value: EmulatorOptions['identity']): value is RunningIdentityEndpoint {
  return typeof value === 'object' && value !== null && 'endpoint' in value && 'stop' in value;
}

export function resolveRoleAssignments(config: readonly RoleAssignmentConfig[], principals: readonly IdentityPrincipal[]): RoleAssignment[] {
  return config.map((entry) => {
    if (!isRoleName(entry.role)) throw new Error(`Unknown role '${entry.role}' in role assignments`);
    const principal = principals.find((p) => p.name === entry.principal || p.objectId.toLowerCase() === entry.principal.toLowerCase());
    return { principalId: principal?.objectId ?? entry.principal, role: entry.role, ...(entry.vault ? { vault: entry.vault } : {}) };
  });
}

function vaultPolicy(options: EmulatorOptions): VaultPolicy {
  const days = options.recoverableDays ?? RECOVERABLE_DAYS_DEFAULT;
  if (days !== 0 && (days < RECOVERABLE_DAYS_MIN || days > RECOVERABLE_DAYS_MAX)) {
    throw new Error(`recoverableDays must be 0 or ${RECOVERABLE_DAYS_MIN}–${RECOVERABLE_DAYS_MAX}, got ${days}`);
  }
  return { recoverableDays: days, purgeProtection: options.purgeProtection ?? false };
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const policy = vaultPolicy(options);
  const inMemory = options.inMemory ?? !options.dataDir;
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : undefined;
  const hostName = options.hostName ?? 'localhost';
  const caDir = options.caDir ?? (dataDir ? path.join(dataDir, 'ca') : defaultCaDir());

  const ownIdentity = !isRunningIdentity(options.identity);
  const identity = isRunningIdentity(options.identity)
    ? options.identity
    : await startIdentityEndpoint({
        ...(options.identity ?? {}),
        dataDir: options.identity?.dataDir ?? (dataDir && !inMemory ? path.join(dataDir, 'identity') : undefined),
        tenantId: options.identity?.tenantId ?? options.tenantId,
      });

  const cleanups: Array<() => Promise<void>> = [];
  if (ownIdentity) cleanups.push(() => identity.stop());
  try {
    const ca = await ensureLocalCa(caDir);
    const serverCert = await issueServerCertificate(ca, [hostName]);
    const store: VaultStore = inMemory || !dataDir ? new MemoryVaultStore() : await FileVaultStore.open(path.join(dataDir, 'keyvault'));
    cleanups.unshift(() => store.close());

    let roleConfig = options.roleAssignments ?? DEFAULT_ROLE_ASSIGNMENTS;
    if (options.roleAssignmentsFile) {
      roleConfig = JSON.parse(await readFile(options.roleAssignmentsFile, 'utf8')) as RoleAssignmentConfig[];
    }
    const roles = new RoleAssignments(resolveRoleAssignments(roleConfig, identity.principals));
    const initialFaults = mergeFaults(DEFAULT_FAULTS, options.faults);
    const faults = new FaultInjector(structuredClone(initialFaults));
    const counters = new CallCounters();
    const settings: EmulatorSettings = initialSettings({
      timing: options.timing,
      certificateCreateMs: options.certificateCreateMs,
      deleteMs: options.deleteMs,
      recoverMs: options.recoverMs,
      purgeMs: options.purgeMs,
    });
    const verifier = new TokenVerifier({ tenantId: identity.tenantId, jwks: () => identity.jwks, resource: options.challengeResource });

    let vaultUrl = '';
    const principals = (): EmulatorPrincipal[] =>
      identity.principals.map((p) => ({
        ...p,
        roles: [
          ...new Set(
            roles
              .list()
              .filter((a) => a.principalId.toLowerCase() === p.objectId.toLowerCase())
              .map((a) => a.role),
          ),
        ],
      }));

    const app = buildKeyVaultServer({
      tls: { key: serverCert.keyPem, cert: serverCert.chainPem },
      store,
      verifier,
      roles,
      policy,
      settings,
      faults,
      counters,
      operations,
      adminToken: options.adminToken,
      onInternalError:
        options.onInternalError ?? ((error, requestId) => console.error(`[kv-emulator] internal error (request ${requestId}): ${(error as Error)?.stack ?? String(error)}`)),
      registerAdmin: (server) =>
        registerAdminRoutes(server, {
          counters,
          faults,
          initialFaults,
          settings,
          roles,
          store,
          info: () => ({ vaultUrl, tenantId: identity.tenantId, identityEndpoint: identity.endpoint, principals: principals(), policy }),
        }),
    });

    const requestedPort = options.port ?? 0;
    const bindAddress = options.bindAddress ?? '127.0.0.1';
    try {
      await app.listen({ port: requestedPort, host: bindAddress });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new Error(`Key Vault emulator: port ${requestedPort} on ${bindAddress} is already in use. Choose another port (or 0 for any free port).`, {
          cause: error,
        });
      }
      throw error;
    }
    cleanups.unshift(() => app.close());
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : requestedPort;
    vaultUrl = `https://${hostName.includes(':') ? `[${hostName}]` : hostName}:${port}`;

    let stopped = false;
    return {
      vaultUrl,
      port,
      caFile: ca.certFile,
      caPem: ca.certPem,
      identityEndpoint: identity.endpoint,
      identityHeader: identity.identityHeader,
      tenantId: identity.tenantId,
      get principals() {
        return principals();
      },
      adminUrl: `${vaultUrl}${ADMIN_PREFIX}`,
      adminToken: options.adminToken,
      adminHeaders: options.adminToken === undefined ? {} : { [ADMIN_TOKEN_HEADER]: options.adminToken },
      identity,
      store,
      faults,
      counters,
      settings,
      roles,
      env: {
        IDENTITY_ENDPOINT: identity.endpoint,
        IDENTITY_HEADER: identity.identityHeader,
        NODE_EXTRA_CA_CERTS: ca.certFile,
        KEYVAULT_URL: vaultUrl,
      },
      stop: async () => {
        if (stopped) return;
        stopped = true;
        for (const cleanup of cleanups) await cleanup();
      },
    };
  } catch (error) {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw error;
  }
}
