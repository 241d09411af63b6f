import type { HttpRequest } from '@azure/functions';
import { problems } from './problems.js';

/**
 * What a route needs from the caller when AUTH_ROLES is on (App Service Authentication puts the
 * signed-in principal in `x-ms-client-principal`):
 * - `read`: properties only — Vault.Reader, Vault.SecretsReader or Vault.Officer;
 * - `readValue`: secret values — Vault.SecretsReader or Vault.Officer (as Key Vault's own Secrets
 *   Officer role can read values);
 * - `write`: Vault.Officer.
 */
export type Permission = 'read' | 'readValue' | 'write';

const ROLES_FOR: Record<Permission, readonly string[]> = {
  read: ['Vault.Reader', 'Vault.SecretsReader', 'Vault.Officer'],
  readValue: ['Vault.SecretsReader', 'Vault.Officer'],
  write: ['Vault.Officer'],
};

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
