// What a handler gets and returns. Handlers are plain functions `(ctx) => HandlerResult`;
// `routes.ts` lists them as Operations (method + path + data action + success status).
import type { Principal } from './auth/jwt.js';
import type { VaultStore } from './store/types.js';
import type { EmulatorSettings } from './timing.js';

export type { EmulatorSettings } from './timing.js';

/** Soft-delete behaviour of the emulated vaults (`recoveryLevel` / `recoverableDays`). */
export interface VaultPolicy {
  /** 7–90 with soft delete; 0 disables soft delete (delete purges at once). */
  recoverableDays: number;
  /** Purge refused (403) while an object is soft-deleted. */
  purgeProtection: boolean;
}

export interface RequestContext {
  requestId: string;
  /** Operation name (e.g. `getSecret`), also the counter name. */
  operation: string;
  method: string;
  /** Host header as sent (with port) — ids are built from it. */
  host: string;
  /** `https://` + host, no trailing slash. */
  vaultUrl: string;
  /** Store key of the vault (see vaultKeyForHost). */
  vault: string;
  /** First label of the host name (used in messages). */
  vaultName: string;
  params: Record<string, string>;
  query: Record<string, string>;
  apiVersion: string;
  principal: Principal;
  store: VaultStore;
  policy: VaultPolicy;
  settings: EmulatorSettings;
  /** Unix seconds. */
  now(): number;
  /** Parsed JSON body; `{}` when empty. Throws 400 BadParameter on malformed JSON. */
  body(): unknown;
}

export interface HandlerResult {
  /** Defaults to the operation's success status. */
  status?: number;
  /** JSON object to send; omitted for 204. */
  body?: object;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RequestContext) => HandlerResult | Promise<HandlerResult>;

export interface Operation {
  /** SDK-style operation name, unique: `getSecret`, `createCertificate`, … */
  name: string;
  method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** find-my-way pattern, e.g. `/secrets/:name/:version`. Trailing slash is significant. */
  path: string;
  /** RBAC data action checked before the handler runs (see auth/roles.ts DataActions). */
  action: string;
  /** Success status (exactly the one the SDK accepts). */
  status: number;
  handler: Handler;
}
