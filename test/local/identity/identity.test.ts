import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startIdentityEndpoint } from '../../../local/identity/index.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('identity endpoint state', () => {
  it('persists tenant, ids and signing key in the data dir (0600)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kv-identity-'));
    dirs.push(dir);
    const first = await startIdentityEndpoint({ dataDir: dir, userAssigned: [{ name: 'worker' }] });
    await first.stop();
    const second = await startIdentityEndpoint({ dataDir: dir, userAssigned: [{ name: 'worker' }] });
    await second.stop();
    expect(second.tenantId).toBe(first.tenantId);
    expect(second.jwks).toEqual(first.jwks);
    expect(second.principals).toEqual(first.principals);
    expect(second.identityHeader).not.toBe(first.identityHeader);
    expect((await stat(path.join(dir, 'identity.json'))).mode & 0o777).toBe(0o600);
  });

  it('honours fixed ids, a fixed header and a disabled system identity', async () => {
    const endpoint = await startIdentityEndpoint({
      identityHeader: 'fixed',
      systemAssigned: false,
      userAssigned: [{ name: 'app', clientId: '11111111-1111-1111-1111-111111111111', objectId: '22222222-2222-2222-2222-222222222222' }],
    });
    try {
      expect(endpoint.principals).toHaveLength(1);
      expect(endpoint.principals[0]).toMatchObject({ kind: 'UserAssigned', clientId: '11111111-1111-1111-1111-111111111111' });
      const noSystem = await fetch(`${endpoint.endpoint}?api-version=2019-08-01&resource=r`, { headers: { 'X-IDENTITY-HEADER': 'fixed' } });
      expect(noSystem.status).toBe(400);
      const ok = await fetch(`${endpoint.endpoint}?api-version=2019-08-01&resource=r&client_id=11111111-1111-1111-1111-111111111111`, {
        headers: { 'X-IDENTITY-HEADER': 'fixed' },
      });
      expect(ok.status).toBe(200);
      const config = (await (await fetch(endpoint.jwksUrl.replace('jwks', 'openid-configuration'))).json()) as Record<string, unknown>;
      expect(config['issuer']).toBe(endpoint.issuer);
    } finally {
      await endpoint.stop();
    }
  });

  it('a busy port fails with a message naming the port', async () => {
    const first = await startIdentityEndpoint();
    try {
      await expect(startIdentityEndpoint({ port: first.port })).rejects.toThrow(`port ${first.port}`);
    } finally {
      await first.stop();
    }
  });
});
