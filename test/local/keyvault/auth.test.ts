// Identity endpoint protocol, token validation (401s) and role-based access (403 ForbiddenByRbac).
import { ManagedIdentityCredential } from '@azure/identity';
import { KeyClient } from '@azure/keyvault-keys';
import { generateKeyPair, SignJWT, exportJWK, createLocalJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../local/keyvault/index.js';
import { credentialFor, localSecretClient, rawRequest, startTestEmulator, tokenFor } from './helpers.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator({
    identity: { userAssigned: [{ name: 'reader' }, { name: 'nobody' }, { name: 'admin' }] },
    roleAssignments: [
      { principal: 'system', role: 'Key Vault Secrets Officer' },
      { principal: 'system', role: 'Key Vault Certificates Officer' },
      { principal: 'reader', role: 'Key Vault Secrets User' },
      { principal: 'admin', role: 'Key Vault Administrator' },
    ],
  });
});

afterAll(async () => {
  await emulator?.stop();
});

async function identityGet(query: string, headers: Record<string, string> = { 'X-IDENTITY-HEADER': emulator.identityHeader }) {
  const res = await fetch(`${emulator.identityEndpoint}?${query}`, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('identity endpoint (App Service protocol)', () => {
  it('issues signed RS256 tokens in the shape msal parses', async () => {
    const { status, body } = await identityGet('api-version=2019-08-01&resource=https://vault.azure.net');
    expect(status).toBe(200);
    expect(body).toMatchObject({ resource: 'https://vault.azure.net', token_type: 'Bearer' });
    const system = emulator.principals.find((p) => p.name === 'system')!;
    expect(body['client_id']).toBe(system.clientId);
    expect(Number(body['expires_on'])).toBeGreaterThan(Date.now() / 1000 + 3600);
    const token = body['access_token'] as string;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    const jwks = (await (await fetch(emulator.identity.jwksUrl)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks as never));
    expect(protectedHeader.kid).toBe(jwks.keys[0]!['kid']);
    expect(payload).toMatchObject({
      iss: `https://sts.windows.net/${emulator.tenantId}/`,
      aud: 'https://vault.azure.net',
      oid: system.objectId,
      tid: emulator.tenantId,
      appid: system.clientId,
    });
    expect(payload.nbf).toBeLessThanOrEqual(payload.iat!);
  });

  it('selects user-assigned identities by client_id, object_id or mi_res_id', async () => {
    const reader = emulator.principals.find((p) => p.name === 'reader')!;
    for (const query of [`client_id=${reader.clientId}`, `object_id=${reader.objectId}`, `mi_res_id=${encodeURIComponent(reader.resourceId)}`]) {
      const { status, body } = await identityGet(`api-version=2019-08-01&resource=https://vault.azure.net&${query}`);
      expect(status).toBe(200);
      expect(body['client_id']).toBe(reader.clientId);
    }
    const unknown = await identityGet('api-version=2019-08-01&resource=https://vault.azure.net&client_id=00000000-0000-0000-0000-000000000001');
    expect(unknown.status).toBe(400);
  });

  it('rejects a missing (400) or wrong (401) X-IDENTITY-HEADER, a missing resource and other api-versions', async () => {
    expect((await identityGet('api-version=2019-08-01&resource=r', {})).status).toBe(400);
    expect((await identityGet('api-version=2019-08-01&resource=r', { 'X-IDENTITY-HEADER': 'nope' })).status).toBe(401);
    expect((await identityGet('api-version=2019-08-01')).status).toBe(400);
    expect((await identityGet('api-version=2017-09-01&resource=r')).status).toBe(400);
  });

  it('works with ManagedIdentityCredential (system- and user-assigned)', async () => {
    const token = await new ManagedIdentityCredential().getToken('https://vault.azure.net/.default');
    expect(token.token.split('.')).toHaveLength(3);
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now());
    const reader = emulator.principals.find((p) => p.name === 'reader')!;
    const userToken = await new ManagedIdentityCredential({ clientId: reader.clientId }).getToken('https://vault.azure.net/.default');
    expect(JSON.parse(Buffer.from(userToken.token.split('.')[1]!, 'base64url').toString()).oid).toBe(reader.objectId);
  });
});

describe('token validation', () => {
  const path = '/secrets?api-version=2026-04-01';
  async function expect401(token: string, messagePart: string) {
    const res = await rawRequest(emulator, { path, headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('Bearer authorization=');
    const body = res.json() as { error: { code: string; message: string } };
    expect(body.error.code).toBe('Unauthorized');
    expect(body.error.message).toContain(messagePart);
  }

  it('accepts a valid token', async () => {
    const res = await rawRequest(emulator, { path, headers: { authorization: `Bearer ${await tokenFor(emulator)}` } });
    expect(res.status).toBe(200);
  });

  it('rejects a wrong audience', async () => {
    await expect401(await emulator.identity.issueToken('system', 'https://storage.azure.com'), 'AKV10022');
  });

  it('rejects an expired token', async () => {
    const issuedAt = Math.floor(Date.now() / 1000) - 7200;
    await expect401(
      await emulator.identity.issueToken('system', 'https://vault.azure.net', { issuedAt, lifetimeSeconds: 3600 }),
      "[TokenExpired] Error validating token: 'S2S12086'.",
    );
  });

  it('rejects a bad signature (key not from the identity endpoint)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const real = emulator.identity.jwks.keys[0]!;
    const forged = await new SignJWT({ oid: emulator.principals[0]!.objectId, tid: emulator.tenantId })
      .setProtectedHeader({ alg: 'RS256', kid: real.kid! })
      .setIssuer(`https://sts.windows.net/${emulator.tenantId}/`)
      .setAudience('https://vault.azure.net')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    expect(await exportJWK(publicKey)).toBeDefined();
    await expect401(forged, 'AKV10019');
    // Tampered payload of a genuine token.
    const genuine = (await tokenFor(emulator)).split('.');
    const payload = JSON.parse(Buffer.from(genuine[1]!, 'base64url').toString()) as Record<string, unknown>;
    payload['oid'] = 'someone-else';
    await expect401(`${genuine[0]}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${genuine[2]}`, 'AKV10019');
  });

  it('rejects garbage and a wrong issuer', async () => {
    await expect401('not-a-jwt', "[AggregatedAuthenticationFailure] Error validating token: 'S2S17001'.");
    const { privateKey } = await generateKeyPair('RS256');
    const otherIssuer = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer('https://sts.windows.net/other/')
      .setAudience('https://vault.azure.net')
      .setExpirationTime('1h')
      .sign(privateKey);
    await expect401(otherIssuer, `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${emulator.tenantId}/`);
  });

  it('names the token header when no key of the identity endpoint signed it', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const unknownKey = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'not-a-known-key' })
      .setIssuer(`https://sts.windows.net/${emulator.tenantId}/`)
      .setAudience('https://vault.azure.net')
      .setExpirationTime('1h')
      .sign(privateKey);
    await expect401(unknownKey, `AKV10046: Unable to resolve the key used for signature validation. EncodedJwtHeader: '${unknownKey.split('.')[0]}'`);
  });
});

describe('role-based access', () => {
  it('Secrets User can read but not write: 403 Forbidden / ForbiddenByRbac', async () => {
    await localSecretClient(emulator).setSecret('rbac', 'value');
    const reader = localSecretClient(emulator, 'reader');
    expect((await reader.getSecret('rbac')).value).toBe('value');
    const error = (await reader.setSecret('rbac', 'nope').catch((e: unknown) => e)) as {
      statusCode: number;
      code: string;
      message: string;
      details: { error: { innerError: { code: string } } };
    };
    expect(error.statusCode).toBe(403);
    expect(error.code).toBe('Forbidden');
    expect(error.details.error.innerError.code).toBe('ForbiddenByRbac');
    expect(error.message).toContain("Action: 'Microsoft.KeyVault/vaults/secrets/setSecret/action'");
    expect(error.message).toMatch(/^Caller is not authorized to perform action on resource\.\r\n/);
    await expect(reader.beginDeleteSecret('rbac')).rejects.toMatchObject({ statusCode: 403 });
  });

  it('a principal without assignments is denied everything; Administrator is allowed everything', async () => {
    await expect(localSecretClient(emulator, 'nobody').getSecret('rbac')).rejects.toMatchObject({ statusCode: 403, code: 'Forbidden' });
    const admin = localSecretClient(emulator, 'admin');
    expect((await admin.setSecret('by-admin', 'x')).value).toBe('x');
  });

  it('role assignments can be replaced at run time', async () => {
    const nobody = emulator.principals.find((p) => p.name === 'nobody')!;
    const current = emulator.roles.list();
    const res = await rawRequest(emulator, {
      method: 'PUT',
      path: '/_emulator/role-assignments',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([...current, { principalId: nobody.objectId, role: 'Key Vault Reader' }]),
    });
    expect(res.status).toBe(200);
    const client = localSecretClient(emulator, 'nobody');
    const names = [];
    for await (const p of client.listPropertiesOfSecrets()) names.push(p.name);
    expect(names).toContain('rbac');
    await expect(client.getSecret('rbac')).rejects.toMatchObject({ statusCode: 403 });
  });
});

describe('keys (read-only public JWK)', () => {
  it('serves the public part of a stored key through KeyClient, latest and by version', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = await exportJWK(privateKey);
    const version = 'a'.repeat(32);
    const now = Math.floor(Date.now() / 1000);
    await emulator.store.transaction('localhost', (tx) =>
      tx.put({
        kind: 'key',
        name: 'cert-key',
        versions: [{ version, managed: true, attributes: { enabled: true, created: now, updated: now, exportable: true }, data: { jwk } }],
      }),
    );
    const keys = new KeyClient(emulator.vaultUrl, credentialFor(emulator, 'admin'), {
      tlsOptions: { ca: emulator.caPem },
      disableChallengeResourceVerification: true,
    });
    const latest = await keys.getKey('cert-key');
    expect(latest.id).toBe(`${emulator.vaultUrl}/keys/cert-key/${version}`);
    expect(latest.keyType).toBe('RSA');
    expect(latest.key?.n).toBeDefined();
    expect(latest.key?.d).toBeUndefined();
    expect(latest.properties.managed).toBe(true);
    expect(latest.properties.exportable).toBe(true);
    expect((await keys.getKey('cert-key', { version })).id).toBe(latest.id);
    await expect(keys.getKey('no-such-key')).rejects.toMatchObject({ statusCode: 404, code: 'KeyNotFound' });
    const listed = [];
    for await (const k of keys.listPropertiesOfKeys()) listed.push(k);
    expect(listed.map((k) => [k.name, k.managed])).toEqual([['cert-key', true]]);
    const versions = [];
    for await (const k of keys.listPropertiesOfKeyVersions('cert-key')) versions.push(k.version);
    expect(versions).toEqual([version]);
  });
});
