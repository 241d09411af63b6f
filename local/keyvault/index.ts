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
import { aliasVaultKey, validateVaultAliases } from './ids.js';
import { FileVaultStore } from './store/file.js';
import { MemoryVaultStore } from './store/memory.js';
import type { VaultStore } from './store/types.js';
import { initialSettings, type EmulatorSettings, type TimingDurations, type TimingPreset } from './timing.js';

export type { FaultConfig } from './faults.js';
export type { EmulatorSettings, TimingDurations, TimingPreset } from './timing.js';
export type { RoleName } from './auth/roles.js';
export { parseVaultAliases } from './ids.js';
export { BuiltInRoles, DataActions } from './auth/roles.js';

/** A role assignment in configuration: `principal` is an identity name (`system`, a
 * user-assigned name) or an object id. */
export interface RoleAssignmentConfig {
  principal: string;
  role: RoleName;
  /** Limit to one vault: its alias when the emulator serves named vaults, otherwise the first
   * label of its host name. */
  vault?: string;
}

export const DEFAULT_ROLE_ASSIGNMENTS: readonly RoleAssignmentConfig[] = [
  { principal: SYSTEM_ASSIGNED, role: 'Key Vault Secrets Officer' },
  { principal: SYSTEM_ASSIGNED, role: 'Key Vault Certificates Officer' },
];

/** The timing model (timing.ts): a preset, default `realistic`, and durations that win over it. */
export interface EmulatorOptions extends Partial<TimingDurations> {
  timing?: TimingPreset;
  /** HTTPS port of the first vault; 0 (default) = any free port. Further vaults listen on the
   * following ports (`port + 1`, …), or on any free port when `port` is 0. */
  port?: number;
  /** Serve several vaults, one HTTPS listener each, by alias (lowercase letters, digits, hyphens,
   * 1–24 characters). The first is the default vault: stored as the single vault always was.
   * Default: one unnamed vault (alias `default` in `vaults`). */
  vaults?: readonly string[];
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

/** One served vault: its own listener, counters and faults. */
export interface RunningVault {
  alias: string;
  url: string;
  /** `<url>/_emulator`: admin routes of this vault (counters, faults; settings, role assignments
   * and `reset` of data are emulator-wide). */
  adminUrl: string;
  port: number;
  faults: FaultInjector;
  counters: CallCounters;
}

export interface RunningEmulator {
  /** The first (default) vault's URL. */
  vaultUrl: string;
  /** The first vault's port. */
  port: number;
  /** Every vault by alias, in the order given (the first is the default vault). */
  vaults: Record<string, RunningVault>;
  caFile: string;
  caPem: string;
  identityEndpoint: string;
  identityHeader: string;
  tenantId: string;
  principals: EmulatorPrincipal[];
  /** `<vaultUrl>/_emulator` (the first vault's admin routes) */
  adminUrl: string;
  /** Required in header `x-emulator-admin-token` on admin routes, when set. */
  adminToken: string | undefined;
  /** Headers an admin request needs (the admin token, when there is one). */
  adminHeaders: Record<string, string>;
  identity: RunningIdentityEndpoint;
  store: VaultStore;
  /** The first vault's faults and counters. */
  faults: FaultInjector;
  counters: CallCounters;
  settings: EmulatorSettings;
  roles: RoleAssignments;
  /** Env for a client process: IDENTITY_ENDPOINT, IDENTITY_HEADER, NODE_EXTRA_CA_CERTS, KEYVAULT_URL
   * (the first vault) and, with more than one vault, KEYVAULTS (`alias=url,alias2=url2`). */
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
    const settings: EmulatorSettings = initialSettings({
      timing: options.timing,
      certificateCreateMs: options.certificateCreateMs,
      deleteMs: options.deleteMs,
      recoverMs: options.recoverMs,
      purgeMs: options.purgeMs,
    });
    const verifier = new TokenVerifier({ tenantId: identity.tenantId, jwks: () => identity.jwks, resource: options.challengeResource });

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

    const named = options.vaults !== undefined;
    const aliases = named ? validateVaultAliases(options.vaults!) : ['default'];
    const requestedPort = options.port ?? 0;
    const bindAddress = options.bindAddress ?? '127.0.0.1';
    const vaults: Record<string, RunningVault> = {};
    const vaultUrls = (): Record<string, string> => Object.fromEntries(Object.entries(vaults).map(([alias, v]) => [alias, v.url]));

    for (const [index, alias] of aliases.entries()) {
      const faults = new FaultInjector(structuredClone(initialFaults));
      const counters = new CallCounters();
      let vaultUrl = '';
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
        // The first vault keeps the host-derived store key (its data from before vaults had
        // names stays where it is); the others are keyed by alias. Named vaults go by their alias.
        ...(named ? { vault: { ...(index === 0 ? {} : { key: aliasVaultKey(alias) }), name: alias } } : {}),
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
            info: () => ({
              vault: alias,
              vaultUrl,
              vaults: vaultUrls(),
              tenantId: identity.tenantId,
              identityEndpoint: identity.endpoint,
              principals: principals(),
              policy,
            }),
          }),
      });

      const port = requestedPort === 0 ? 0 : requestedPort + index;
      try {
        await app.listen({ port, host: bindAddress });
      } catch (error) {
        await app.close().catch(() => undefined);
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new Error(
            `Key Vault emulator: port ${port} on ${bindAddress}${named ? ` (vault '${alias}')` : ''} is already in use. Choose another port (or 0 for any free port).`,
            { cause: error },
          );
        }
        throw error;
      }
      cleanups.unshift(() => app.close());
      const address = app.server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      vaultUrl = `https://${hostName.includes(':') ? `[${hostName}]` : hostName}:${actualPort}`;
      vaults[alias] = { alias, url: vaultUrl, adminUrl: `${vaultUrl}${ADMIN_PREFIX}`, port: actualPort, faults, counters };
    }

    const first = vaults[aliases[0]!]!;
    let stopped = false;
    return {
      vaultUrl: first.url,
      port: first.port,
      vaults,
      caFile: ca.certFile,
      caPem: ca.certPem,
      identityEndpoint: identity.endpoint,
      identityHeader: identity.identityHeader,
      tenantId: identity.tenantId,
      get principals() {
        return principals();
      },
      adminUrl: first.adminUrl,
      adminToken: options.adminToken,
      adminHeaders: options.adminToken === undefined ? {} : { [ADMIN_TOKEN_HEADER]: options.adminToken },
      identity,
      store,
      faults: first.faults,
      counters: first.counters,
      settings,
      roles,
      env: {
        IDENTITY_ENDPOINT: identity.endpoint,
        IDENTITY_HEADER: identity.identityHeader,
        NODE_EXTRA_CA_CERTS: ca.certFile,
        KEYVAULT_URL: first.url,
        ...(aliases.length > 1
          ? {
              KEYVAULTS: Object.entries(vaultUrls())
                .map(([alias, url]) => `${alias}=${url}`)
                .join(','),
            }
          : {}),
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
