import type { HttpRequest } from '@azure/functions';
import { problems } from './problems.js';

/**
 * What a route needs from the caller. With AUTH_ROLES on, App Service Authentication puts the
 * signed-in principal in `x-ms-client-principal` and its app roles decide:
 * - `read`: properties only — Vault.Reader, Vault.SecretsReader, Vault.Officer or Vault.Admin;
 * - `readValue`: secret values — Vault.SecretsReader, Vault.Officer (as Key Vault's own Secrets
 *   Officer role can read values) or Vault.Admin;
 * - `write`: Vault.Officer or Vault.Admin;
 * - `purge` (destroys a deleted object for good): Vault.Admin only.
 * With function keys alone (AUTH_ROLES off) a key allows everything except `purge`, which also
 * needs ALLOW_PURGE=true.
 */
export type Permission = 'read' | 'readValue' | 'write' | 'purge';

const ROLES_FOR: Record<Permission, readonly string[]> = {
  read: ['Vault.Reader', 'Vault.SecretsReader', 'Vault.Officer', 'Vault.Admin'],
  readValue: ['Vault.SecretsReader', 'Vault.Officer', 'Vault.Admin'],
  write: ['Vault.Officer', 'Vault.Admin'],
  purge: ['Vault.Admin'],
};

/** The settings that decide what a caller may do. */
export interface AccessSettings {
  AUTH_ROLES: boolean;
  ALLOW_PURGE: boolean;
}

/** Throws the problem that refuses the call, before anything is done; returns when it may go ahead. */
export function checkPermission(request: HttpRequest, permission: Permission, settings: AccessSettings): void {
  if (settings.AUTH_ROLES) authorize(request, permission);
  else if (permission === 'purge' && !settings.ALLOW_PURGE) throw problems.purgeNotAllowed();
}

interface ClientPrincipal {
  auth_typ?: string;
  role_typ?: string;
  claims?: { typ: string; val: string }[];
}

export function authorize(request: HttpRequest, permission: Permission): void {
  const header = request.headers.get('x-ms-client-principal');
  if (!header) {
    throw problems.signInRequired();
  }
  const roles = rolesOf(header);
  const allowed = ROLES_FOR[permission];
  if (!roles.some((role) => allowed.includes(role))) {
    throw problems.roleRequired([...allowed]);
  }
}

function rolesOf(header: string): string[] {
  let principal: ClientPrincipal;
  try {
    principal = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as ClientPrincipal;
  } catch {
    throw problems.invalidPrincipal('is not valid base64-encoded JSON');
  }
  if (typeof principal !== 'object' || principal === null || (principal.claims !== undefined && !Array.isArray(principal.claims))) {
    throw problems.invalidPrincipal('is not a client principal');
  }
  const roleType = principal.role_typ ?? 'roles';
  return (principal.claims ?? [])
    .filter((claim) => typeof claim === 'object' && claim !== null && (claim.typ === roleType || claim.typ === 'roles') && typeof claim.val === 'string')
    .map((claim) => claim.val);
}
