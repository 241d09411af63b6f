// Who may do what: app roles with AUTH_ROLES, and purge as a permission of its own.
import { HttpRequest } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { checkPermission, type Permission } from '../../../../src/platform/principal.js';
import { Problem } from '../../../../src/platform/problems.js';

const principal = (...roles: string[]) =>
  Buffer.from(JSON.stringify({ auth_typ: 'aad', role_typ: 'roles', claims: roles.map((val) => ({ typ: 'roles', val })) })).toString('base64');

function request(roles?: string[]): HttpRequest {
  return new HttpRequest({ method: 'GET', url: 'https://app.example/api/x', headers: roles ? { 'x-ms-client-principal': principal(...roles) } : {} });
}

function refusal(call: () => void): string | undefined {
  try {
    call();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(Problem);
    return (error as Problem).code;
  }
}

describe('permissions', () => {
  const roles = { AUTH_ROLES: true, ALLOW_PURGE: false };

  it.each([
    ['Vault.Reader', ['read']],
    ['Vault.SecretsReader', ['read', 'readValue']],
    ['Vault.Officer', ['read', 'readValue', 'write']],
    ['Vault.Admin', ['read', 'readValue', 'write', 'purge']],
  ] as const)('with AUTH_ROLES, %s allows exactly %j', (role, allowed) => {
    for (const permission of ['read', 'readValue', 'write', 'purge'] as Permission[]) {
      const code = refusal(() => checkPermission(request([role]), permission, roles));
      expect(code, `${role} ${permission}`).toBe((allowed as readonly string[]).includes(permission) ? undefined : 'Forbidden');
    }
  });

  it('with AUTH_ROLES, ALLOW_PURGE does not stand in for Vault.Admin, and no principal is 401', () => {
    expect(refusal(() => checkPermission(request(['Vault.Officer']), 'purge', { AUTH_ROLES: true, ALLOW_PURGE: true }))).toBe('Forbidden');
    expect(refusal(() => checkPermission(request(), 'purge', roles))).toBe('Unauthorized');
  });

  it('with function keys alone, everything but purge is allowed; purge needs ALLOW_PURGE', () => {
    const keys = { AUTH_ROLES: false, ALLOW_PURGE: false };
    for (const permission of ['read', 'readValue', 'write'] as Permission[]) expect(refusal(() => checkPermission(request(), permission, keys))).toBeUndefined();
    expect(refusal(() => checkPermission(request(), 'purge', keys))).toBe('PurgeNotAllowed');
    expect(refusal(() => checkPermission(request(), 'purge', { ...keys, ALLOW_PURGE: true }))).toBeUndefined();
  });
});
