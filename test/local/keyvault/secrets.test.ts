// Every secrets operation through the real @azure/keyvault-secrets client.
import { SecretClient } from '@azure/keyvault-secrets';
import type { RestError } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../local/keyvault/index.js';
import { azureStyleUrl, credentialFor, localSecretClient, rawRequest, startTestEmulator, tokenFor, vaultAgent } from './helpers.js';

let emulator: RunningEmulator;
let client: SecretClient;

beforeAll(async () => {
  emulator = await startTestEmulator();
  client = localSecretClient(emulator);
});

afterAll(async () => {
  await emulator?.stop();
});

function restError(error: unknown): RestError & { details?: { error?: { innerError?: { code?: string } } } } {
  return error as RestError & { details?: { error?: { innerError?: { code?: string } } } };
}

describe('secrets through the SDK', () => {
  it('sets, gets latest and by version, with properties', async () => {
    const exp = new Date(Date.now() + 3600_000);
    const first = await client.setSecret('alpha', 'one', { contentType: 'text/plain', tags: { env: 'test' }, expiresOn: exp });
    expect(first.value).toBe('one');
    expect(first.properties.version).toMatch(/^[0-9a-f]{32}$/);
    expect(first.properties.id).toBe(`${emulator.vaultUrl}/secrets/alpha/${first.properties.version}`);
    expect(first.properties.vaultUrl).toBe(emulator.vaultUrl);
    expect(first.properties.contentType).toBe('text/plain');
    expect(first.properties.tags).toEqual({ env: 'test' });
    expect(first.properties.expiresOn?.getTime()).toBe(Math.floor(exp.getTime() / 1000) * 1000);
    expect(first.properties.recoveryLevel).toBe('Recoverable+Purgeable');
    expect(first.properties.recoverableDays).toBe(90);
    expect(first.properties.enabled).toBe(true);

    const second = await client.setSecret('alpha', 'two');
    expect(second.properties.version).not.toBe(first.properties.version);
    expect((await client.getSecret('alpha')).value).toBe('two');
    expect((await client.getSecret('ALPHA')).value).toBe('two');
    expect((await client.getSecret('alpha', { version: first.properties.version! })).value).toBe('one');
  });

  it('404s for unknown names and versions', async () => {
    await expect(client.getSecret('missing')).rejects.toMatchObject({ statusCode: 404, code: 'SecretNotFound' });
    await expect(client.getSecret('alpha', { version: '0'.repeat(32) })).rejects.toMatchObject({ statusCode: 404, code: 'SecretNotFound' });
  });

  it('updates properties partially and never the value', async () => {
    const created = await client.setSecret('beta', 'v', { tags: { a: '1' } });
    const updated = await client.updateSecretProperties('beta', created.properties.version!, { contentType: 'application/json' });
    expect((updated as { value?: unknown }).value).toBeUndefined();
    expect(updated.contentType).toBe('application/json');
    expect(updated.tags).toEqual({ a: '1' });
    const latest = await client.updateSecretProperties('beta', '', { tags: { b: '2' } });
    expect(latest.tags).toEqual({ b: '2' });
    expect(latest.contentType).toBe('application/json');
    expect((await client.getSecret('beta')).value).toBe('v');
  });

  it('disabled versions answer 403 SecretDisabled but stay listed', async () => {
    const created = await client.setSecret('gamma', 'hidden', { enabled: false });
    const error = restError(await client.getSecret('gamma').catch((e: unknown) => e));
    expect(error.statusCode).toBe(403);
    expect(error.code).toBe('Forbidden');
    expect(error.details?.error?.innerError?.code).toBe('SecretDisabled');
    expect(error.message).toBe('Operation get is not allowed on a disabled secret.');
    const versions = [];
    for await (const v of client.listPropertiesOfSecretVersions('gamma')) versions.push(v);
    expect(versions.map((v) => v.version)).toEqual([created.properties.version]);
    await client.updateSecretProperties('gamma', created.properties.version!, { enabled: true });
    expect((await client.getSecret('gamma')).value).toBe('hidden');
  });

  it('lists secrets with paging (maxresults + nextLink), versions, never values', async () => {
    for (let i = 0; i < 7; i++) await client.setSecret(`page-${i}`, `value-${i}`);
    const pages: number[] = [];
    const names: string[] = [];
    for await (const page of client.listPropertiesOfSecrets().byPage({ maxPageSize: 3 })) {
      pages.push(page.length);
      names.push(...page.map((p) => p.name));
      for (const p of page) expect((p as { value?: unknown }).value).toBeUndefined();
    }
    expect(pages.every((n) => n <= 3)).toBe(true);
    expect(pages.length).toBeGreaterThan(3);
    expect(names.filter((n) => n.startsWith('page-')).sort()).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4', 'page-5', 'page-6']);
    expect(new Set(names).size).toBe(names.length);

    for (let i = 0; i < 4; i++) await client.setSecret('many', `v${i}`);
    const versionPages: number[] = [];
    for await (const page of client.listPropertiesOfSecretVersions('many').byPage({ maxPageSize: 3 })) versionPages.push(page.length);
    expect(versionPages).toEqual([3, 1]);
    const empty = [];
    for await (const v of client.listPropertiesOfSecretVersions('never-existed')) empty.push(v);
    expect(empty).toEqual([]);
  });

  it('nextLink is absolute and self-contained; maxresults out of range is 400', async () => {
    const token = await tokenFor(emulator);
    const auth = { authorization: `Bearer ${token}` };
    const first = await rawRequest(emulator, { path: '/secrets?api-version=2026-04-01&maxresults=2', headers: auth, host: 'localhost' });
    expect(first.status).toBe(200);
    const body = first.json() as { value: unknown[]; nextLink: string | null };
    expect(body.value).toHaveLength(2);
    expect(body.nextLink).toMatch(/^https:\/\/localhost\/secrets\?api-version=2026-04-01&%24skiptoken=.+&maxresults=2$/);
    const next = new URL(body.nextLink!);
    const second = await rawRequest(emulator, { path: next.pathname + next.search, headers: auth, host: 'localhost' });
    expect(second.status).toBe(200);
    for (const bad of ['0', '26', 'abc', '-1']) {
      const res = await rawRequest(emulator, { path: `/secrets?api-version=2026-04-01&maxresults=${bad}`, headers: auth });
      expect(res.status).toBe(400);
      expect((res.json() as { error: { code: string } }).error.code).toBe('BadParameter');
    }
  });

  it('soft-deletes, blocks re-create with 409, recovers, deletes again and purges', async () => {
    await client.setSecret('delta', 'd1', { tags: { t: 'x' } });
    const poller = await client.beginDeleteSecret('delta');
    const deleted = await poller.pollUntilDone();
    expect(deleted.recoveryId).toBe(`${emulator.vaultUrl}/deletedsecrets/delta`);
    expect(deleted.properties.deletedOn).toBeInstanceOf(Date);
    expect(deleted.properties.scheduledPurgeDate!.getTime() - deleted.properties.deletedOn!.getTime()).toBe(90 * 86400 * 1000);

    await expect(client.getSecret('delta')).rejects.toMatchObject({ statusCode: 404, code: 'SecretNotFound' });
    const conflict = restError(await client.setSecret('delta', 'again').catch((e: unknown) => e));
    expect(conflict.statusCode).toBe(409);
    expect(conflict.code).toBe('Conflict');
    expect(conflict.details?.error?.innerError?.code).toBe('ObjectIsDeletedButRecoverable');
    expect(conflict.message).toBe(
      'Secret delta is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.',
    );

    const got = await client.getDeletedSecret('delta');
    expect(got.name).toBe('delta');
    const listed = [];
    for await (const d of client.listDeletedSecrets()) listed.push(d.name);
    expect(listed).toContain('delta');

    const recovered = await (await client.beginRecoverDeletedSecret('delta')).pollUntilDone();
    expect(recovered.name).toBe('delta');
    expect((await client.getSecret('delta')).value).toBe('d1');

    await (await client.beginDeleteSecret('delta')).pollUntilDone();
    await client.purgeDeletedSecret('delta');
    await expect(client.getDeletedSecret('delta')).rejects.toMatchObject({ statusCode: 404, code: 'SecretNotFound' });
    expect((await client.setSecret('delta', 'fresh')).value).toBe('fresh');
  });

  it('backs up all versions and restores them', async () => {
    await client.setSecret('epsilon', 'e1');
    await client.setSecret('epsilon', 'e2');
    const backup = await client.backupSecret('epsilon');
    expect(backup).toBeInstanceOf(Uint8Array);
    await (await client.beginDeleteSecret('epsilon')).pollUntilDone();
    await expect(client.restoreSecretBackup(backup!)).rejects.toMatchObject({ statusCode: 409, code: 'Conflict' });
    await client.purgeDeletedSecret('epsilon');
    const restored = await client.restoreSecretBackup(backup!);
    expect(restored.name).toBe('epsilon');
    expect((await client.getSecret('epsilon')).value).toBe('e2');
    const versions = [];
    for await (const v of client.listPropertiesOfSecretVersions('epsilon')) versions.push(v.version);
    expect(versions).toHaveLength(2);
    await expect(client.restoreSecretBackup(backup!)).rejects.toMatchObject({
      statusCode: 409,
      message: `Conflict while restoring secret ${client.vaultUrl}/secrets/epsilon/${versions[1]} - secret already exists or concurrent access`,
    });
    await expect(client.restoreSecretBackup(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({
      statusCode: 400,
      code: 'Malformed backup blob',
      message: 'Backup blob is corrupt.',
    });
  });

  it('validates names, value size, content type and tags with 400 BadParameter', async () => {
    await expect(client.setSecret('bad_name', 'x')).rejects.toMatchObject({ statusCode: 400, code: 'BadParameter' });
    await expect(client.setSecret('a'.repeat(128), 'x')).rejects.toMatchObject({ statusCode: 400, code: 'BadParameter' });
    expect((await client.setSecret('a'.repeat(127), 'x')).name).toHaveLength(127);
    expect((await client.setSecret('big', 'x'.repeat(25 * 1024))).value).toHaveLength(25 * 1024);
    await expect(client.setSecret('big', 'x'.repeat(25 * 1024 + 1))).rejects.toMatchObject({ statusCode: 400, code: 'BadParameter' });
    await expect(client.setSecret('ct', 'x', { contentType: 'c'.repeat(256) })).rejects.toMatchObject({ statusCode: 400 });
    const tags = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`t${i}`, 'v']));
    await expect(client.setSecret('tags', 'x', { tags })).rejects.toMatchObject({ statusCode: 400 });
    await expect(client.setSecret('tags', 'x', { tags: { k: 'v'.repeat(257) } })).rejects.toMatchObject({ statusCode: 400 });
  });

  it('sends x-ms-request-id and echoes x-ms-client-request-id', async () => {
    const token = await tokenFor(emulator);
    const res = await rawRequest(emulator, {
      path: '/secrets/alpha/?api%2Dversion=2026-04-01',
      headers: { authorization: `Bearer ${token}`, 'x-ms-client-request-id': 'abc-123' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-ms-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-ms-client-request-id']).toBe('abc-123');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  });
});

describe('challenge resource verification ON', () => {
  it('works with a <vault>.vault.azure.net host and default client options', async () => {
    const url = azureStyleUrl(emulator, 'myvault');
    const strict = new SecretClient(url, credentialFor(emulator), { agent: vaultAgent(emulator) });
    const set = await strict.setSecret('strict', 'on');
    expect(set.properties.id).toBe(`${url}/secrets/strict/${set.properties.version}`);
    expect(set.properties.vaultUrl).toBe(url);
    expect((await strict.getSecret('strict')).value).toBe('on');
    // A different host name is a different vault.
    const other = new SecretClient(azureStyleUrl(emulator, 'othervault'), credentialFor(emulator), { agent: vaultAgent(emulator) });
    await expect(other.getSecret('strict')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('challenge is sent before any body validation, with the real header shape', async () => {
    const res = await rawRequest(emulator, {
      method: 'PUT',
      path: '/secrets/x?api%2Dversion=2026-04-01',
      headers: { 'content-type': 'application/json' },
      host: `kv1.vault.azure.net:${emulator.port}`,
    });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(`Bearer authorization="https://login.microsoftonline.com/${emulator.tenantId}", resource="https://vault.azure.net"`);
    expect(res.json()).toEqual({ error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer, PoP, or MTLS_POP token.' } });
    const garbage = await rawRequest(emulator, { method: 'POST', path: '/not/a/route', body: '{{{', host: 'kv.vault.local' });
    expect(garbage.status).toBe(401);
    expect(garbage.headers['www-authenticate']).toContain('resource="https://vault.local"');
  });
});
