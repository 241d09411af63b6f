import { describe, expect, it } from 'vitest';
import { challengeHeaders, challengeResource, hostnameOf } from '../../../../local/keyvault/auth/challenge.js';
import { BuiltInRoles, DataActions, RoleAssignments, roleAllows } from '../../../../local/keyvault/auth/roles.js';

describe('challenge', () => {
  it('resource is the host minus its first label; real KV resource for dot-less hosts and IPs', () => {
    expect(challengeResource('myvault.vault.azure.net:8443')).toBe('https://vault.azure.net');
    expect(challengeResource('kv.vault.local')).toBe('https://vault.local');
    expect(challengeResource('myvault.localhost:1')).toBe('https://localhost');
    expect(challengeResource('localhost:8443')).toBe('https://vault.azure.net');
    expect(challengeResource('127.0.0.1:8443')).toBe('https://vault.azure.net');
    expect(challengeResource('[::1]:8443')).toBe('https://vault.azure.net');
    expect(challengeResource('x.y', 'https://override')).toBe('https://override');
  });

  it('parses host names', () => {
    expect(hostnameOf('[::1]:443')).toBe('::1');
    expect(hostnameOf('A.B:1')).toBe('a.b');
    expect(hostnameOf('a.b')).toBe('a.b');
  });

  it('header pairs are comma+space separated with no spaces in values', () => {
    const header = challengeHeaders('v.vault.azure.net', 'tid')['www-authenticate'];
    expect(header).toBe('Bearer authorization="https://login.microsoftonline.com/tid", resource="https://vault.azure.net"');
    // The SDK's parser splits on ",? +" and keeps key="value" pairs.
    const pairs = header!
      .slice('Bearer '.length)
      .split(/,? +/)
      .map((p) => /^(\w+)="([^"]*)"$/.exec(p)?.slice(1));
    expect(pairs).toEqual([
      ['authorization', 'https://login.microsoftonline.com/tid'],
      ['resource', 'https://vault.azure.net'],
    ]);
  });
});

describe('roles', () => {
  it('built-in roles grant their real data actions', () => {
    expect(roleAllows('Key Vault Secrets User', DataActions.secretsGet)).toBe(true);
    expect(roleAllows('Key Vault Secrets User', DataActions.secretsReadMetadata)).toBe(true);
    expect(roleAllows('Key Vault Secrets User', DataActions.secretsSet)).toBe(false);
    expect(roleAllows('Key Vault Secrets Officer', DataActions.secretsPurge)).toBe(true);
    expect(roleAllows('Key Vault Secrets Officer', DataActions.certificatesRead)).toBe(false);
    expect(roleAllows('Key Vault Certificates Officer', DataActions.certificatesCreate)).toBe(true);
    expect(roleAllows('Key Vault Certificates Officer', DataActions.secretsGet)).toBe(false);
    expect(roleAllows('Key Vault Certificate User', DataActions.secretsGet)).toBe(true);
    expect(roleAllows('Key Vault Certificate User', DataActions.certificatesCreate)).toBe(false);
    expect(roleAllows('Key Vault Reader', DataActions.certificatesRead)).toBe(true);
    expect(roleAllows('Key Vault Reader', DataActions.keysRead)).toBe(true);
    expect(roleAllows('Key Vault Reader', DataActions.secretsGet)).toBe(false);
    for (const action of Object.values(DataActions)) expect(roleAllows('Key Vault Administrator', action)).toBe(true);
    expect(Object.keys(BuiltInRoles)).toHaveLength(6);
  });

  it('assignments match the principal and optional vault', () => {
    const roles = new RoleAssignments([
      { principalId: 'ABC', role: 'Key Vault Secrets User' },
      { principalId: 'def', role: 'Key Vault Secrets Officer', vault: 'one' },
    ]);
    const p = (objectId: string) => ({ objectId, appId: '', tenantId: '', issuer: '' });
    expect(roles.isAllowed(p('abc'), DataActions.secretsGet, 'any')).toBe(true);
    expect(roles.isAllowed(p('def'), DataActions.secretsSet, 'one')).toBe(true);
    expect(roles.isAllowed(p('def'), DataActions.secretsSet, 'two')).toBe(false);
    expect(roles.isAllowed(p('xyz'), DataActions.secretsGet, 'one')).toBe(false);
  });
});
