// The secrets API end to end: HTTP → local host → app → Key Vault SDK → emulator.
import { describe, expect, inject, it } from 'vitest';
import { ApiClient, errorCodeOf, uniqueName } from '../../support/api.js';

const stack = inject('stack');
const api = new ApiClient(stack.apiBaseUrl, stack.functionKey);

describe('secrets API: the seed scenario', () => {
  it('set → get → delete → set again is 409 telling how to recover or purge; recover and purge both work', async () => {
    const name = uniqueName('seed');
    const created = await api.put(`/secrets/${name}`, { value: 's3cr3t-1', contentType: 'text/plain', tags: { team: 'a' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, properties: { enabled: true, contentType: 'text/plain', tags: { team: 'a' }, managed: false } });
    expect(created.body.value).toBeUndefined();
    expect(created.headers.get('etag')).toBe(`"${created.body.version}"`);
    expect(created.headers.get('location')).toBe(`${stack.apiBaseUrl}/secrets/${name}/versions/${created.body.version}`);

    const read = await api.get(`/secrets/${name}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ name, value: 's3cr3t-1', version: created.body.version });
    expect(read.headers.get('cache-control')).toBe('no-store');

    const deleted = await api.delete(`/secrets/${name}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.recoveryId).toMatch(new RegExp(`/deletedsecrets/${name}$`));
    expect(Date.parse(deleted.body.scheduledPurgeDate)).toBeGreaterThan(Date.now());

    expect((await api.get(`/secrets/${name}`)).status).toBe(404);
    const again = await api.put(`/secrets/${name}`, { value: 's3cr3t-2' });
    expect(again.status).toBe(409);
    expect(errorCodeOf(again)).toBe('ObjectIsDeletedButRecoverable');
    expect(again.body.error.message).toContain(`POST /api/deleted-secrets/${name}/recover`);
    expect(again.body.error.message).toContain(`DELETE /api/deleted-secrets/${name}`);

    const deletedRead = await api.get(`/deleted-secrets/${name}`);
    expect(deletedRead.status).toBe(200);
    expect(deletedRead.body).toMatchObject({ name, recoveryId: deleted.body.recoveryId });
    expect(deletedRead.body.value).toBeUndefined();

    const recovered = await api.post(`/deleted-secrets/${name}/recover`);
    expect(recovered.status).toBe(200);
    expect(recovered.body).toMatchObject({ name, version: created.body.version });
    expect((await api.get(`/secrets/${name}`)).body.value).toBe('s3cr3t-1');

    expect((await api.delete(`/secrets/${name}`)).status).toBe(200);
    const purged = await api.delete(`/deleted-secrets/${name}`);
    expect(purged.status).toBe(204);
    expect((await api.get(`/deleted-secrets/${name}`)).status).toBe(404);
    const fresh = await api.put(`/secrets/${name}`, { value: 's3cr3t-3' });
    expect(fresh.status).toBe(201);
  });
});

describe('secrets API: versions and properties', () => {
  it('adds versions (200), reads each by version, lists versions, and never lists values', async () => {
    const name = uniqueName('versions');
    const v1 = await api.put(`/secrets/${name}`, { value: 'one' });
    const v2 = await api.put(`/secrets/${name}`, { value: 'two', expiresOn: '2031-01-01T00:00:00Z', notBefore: '2020-01-01T00:00:00.000Z' });
    expect([v1.status, v2.status]).toEqual([201, 200]);
    expect(v2.body.properties).toMatchObject({ expiresOn: '2031-01-01T00:00:00.000Z', notBefore: '2020-01-01T00:00:00.000Z' });

    const first = await api.get(`/secrets/${name}/versions/${v1.body.version}`);
    expect(first.body).toMatchObject({ value: 'one', version: v1.body.version });
    expect((await api.get(`/secrets/${name}`)).body.value).toBe('two');

    const versions = await api.get(`/secrets/${name}/versions`);
    expect(versions.status).toBe(200);
    expect(versions.body.value.map((v: { version: string }) => v.version).sort()).toEqual([v1.body.version, v2.body.version].sort());
    expect(versions.text).not.toContain('"value":"one"');
    expect(versions.body.nextLink).toBeNull();

    const listed = await api.get(`/secrets?maxPageSize=25`);
    expect(listed.status).toBe(200);
    expect(listed.text).not.toMatch(/"value":"(one|two)"/);
  });

  it('returns the value from PUT only with returnValue=true', async () => {
    const name = uniqueName('echo');
    const withValue = await api.put(`/secrets/${name}?returnValue=true`, { value: 'shown' });
    expect(withValue.body.value).toBe('shown');
    expect(withValue.headers.get('cache-control')).toBe('no-store');
  });

  it('PATCH updates properties of the latest version or of one version; a disabled version reads 403', async () => {
    const name = uniqueName('patch');
    const v1 = await api.put(`/secrets/${name}`, { value: 'one' });
    const v2 = await api.put(`/secrets/${name}`, { value: 'two' });

    const latest = await api.patch(`/secrets/${name}`, { tags: { owner: 'ops' }, contentType: 'application/json' });
    expect(latest.status).toBe(200);
    expect(latest.body).toMatchObject({ version: v2.body.version, properties: { tags: { owner: 'ops' }, contentType: 'application/json' } });
    expect(latest.body.value).toBeUndefined();

    const old = await api.patch(`/secrets/${name}/versions/${v1.body.version}`, { enabled: false });
    expect(old.body).toMatchObject({ version: v1.body.version, properties: { enabled: false } });
    const disabled = await api.get(`/secrets/${name}/versions/${v1.body.version}`);
    expect(disabled.status).toBe(403);
    expect(errorCodeOf(disabled)).toBe('SecretDisabled');

    const cleared = await api.patch(`/secrets/${name}`, { expiresOn: '2030-05-05T00:00:00Z' });
    expect(cleared.body.properties.expiresOn).toBe('2030-05-05T00:00:00.000Z');
    const unset = await api.patch(`/secrets/${name}`, { expiresOn: null });
    expect(unset.body.properties.expiresOn).toBeUndefined();
  });

  it('answers 404 with the Azure error shape for unknown secrets, versions and deleted secrets', async () => {
    const name = uniqueName('missing');
    for (const [path, code] of [
      [`/secrets/${name}`, 'SecretNotFound'],
      [`/secrets/${name}/versions/${'0'.repeat(32)}`, 'SecretNotFound'],
      [`/deleted-secrets/${name}`, 'DeletedSecretNotFound'],
    ] as const) {
      const response = await api.get(path);
      expect(response.status, path).toBe(404);
      expect(errorCodeOf(response)).toBe(code);
    }
    expect((await api.patch(`/secrets/${name}`, { enabled: false })).status).toBe(404);
    expect((await api.delete(`/secrets/${name}`)).status).toBe(404);
    expect((await api.post(`/deleted-secrets/${name}/recover`)).status).toBe(404);
    expect((await api.delete(`/deleted-secrets/${name}`)).status).toBe(404);
    const versions = await api.get(`/secrets/${name}/versions`);
    expect(versions.body).toEqual({ value: [], nextLink: null });
  });
});

describe('secrets API: paging', () => {
  it('pages with maxPageSize and an opaque continuation token in nextLink', async () => {
    const name = uniqueName('paged');
    const versions: string[] = [];
    for (let i = 0; i < 7; i++) versions.push((await api.put(`/secrets/${name}`, { value: `v${i}` })).body.version);

    const seen: string[] = [];
    let next: string | null = `${stack.apiBaseUrl}/secrets/${name}/versions?maxPageSize=3`;
    let pages = 0;
    while (next) {
      const page: { status: number; body: any } = await api.get(next);
      expect(page.status).toBe(200);
      expect(page.body.value.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.value.map((v: { version: string }) => v.version));
      next = page.body.nextLink;
      if (next) {
        expect(new URL(next).searchParams.get('maxPageSize')).toBe('3');
        expect(new URL(next).searchParams.get('continuationToken')).toBeTruthy();
        expect(next).not.toContain('code=');
      }
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(versions.sort());
  });

  it('rejects page sizes outside 1-25 and tokens it did not issue', async () => {
    for (const size of ['0', '26', 'abc']) {
      const response = await api.get(`/secrets?maxPageSize=${size}`);
      expect(response.status).toBe(400);
      expect(response.body.error.target).toBe('query.maxPageSize');
    }
    const forged = Buffer.from(JSON.stringify({ l: 'secrets', n: 'https://attacker.example/secrets?x=1' })).toString('base64url');
    for (const token of ['not-a-token', forged]) {
      const response = await api.get(`/secrets?continuationToken=${token}`);
      expect(response.status).toBe(400);
      expect(errorCodeOf(response)).toBe('InvalidContinuationToken');
    }
    // A token from one listing is not accepted by another.
    const name = uniqueName('tok');
    for (let i = 0; i < 2; i++) await api.put(`/secrets/${name}`, { value: `v${i}` });
    const page = await api.get(`/secrets/${name}/versions?maxPageSize=1`);
    const token = new URL(page.body.nextLink).searchParams.get('continuationToken');
    const wrongListing = await api.get(`/deleted-secrets?continuationToken=${token}`);
    expect(errorCodeOf(wrongListing)).toBe('InvalidContinuationToken');
  });
});

describe('secrets API: concurrency and idempotency', () => {
  it('If-Match on PUT / PATCH / DELETE proceeds on the current ETag and answers 412 otherwise', async () => {
    const name = uniqueName('etag');
    const v1 = await api.put(`/secrets/${name}`, { value: 'one' });
    const etag1 = v1.headers.get('etag')!;
    const v2 = await api.put(`/secrets/${name}`, { value: 'two' }, { headers: { 'if-match': etag1 } });
    expect(v2.status).toBe(200);
    const etag2 = v2.headers.get('etag')!;

    const stale = await api.put(`/secrets/${name}`, { value: 'three' }, { headers: { 'if-match': etag1 } });
    expect(stale.status).toBe(412);
    expect(errorCodeOf(stale)).toBe('PreconditionFailed');
    expect((await api.get(`/secrets/${name}`)).body.value).toBe('two');

    expect((await api.patch(`/secrets/${name}`, { tags: { a: 'b' } }, { headers: { 'if-match': etag1 } })).status).toBe(412);
    expect((await api.patch(`/secrets/${name}`, { tags: { a: 'b' } }, { headers: { 'if-match': etag2 } })).status).toBe(200);
    expect((await api.delete(`/secrets/${name}`, { headers: { 'if-match': etag1 } })).status).toBe(412);
    expect((await api.delete(`/secrets/${name}`, { headers: { 'if-match': etag2 } })).status).toBe(200);
  });

  it('If-None-Match: * creates only', async () => {
    const name = uniqueName('create-only');
    expect((await api.put(`/secrets/${name}`, { value: 'one' }, { headers: { 'if-none-match': '*' } })).status).toBe(201);
    const second = await api.put(`/secrets/${name}`, { value: 'two' }, { headers: { 'if-none-match': '*' } });
    expect(second.status).toBe(412);
    expect((await api.get(`/secrets/${name}/versions`)).body.value).toHaveLength(1);
  });

  it('a repeated PUT with the same Idempotency-Key and body makes one version; another body with that key is 422', async () => {
    const name = uniqueName('idem');
    const key = uniqueName('key');
    const first = await api.put(`/secrets/${name}`, { value: 'once' }, { headers: { 'idempotency-key': key } });
    const repeat = await api.put(`/secrets/${name}`, { value: 'once' }, { headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    expect(repeat.status).toBe(201);
    expect(repeat.body.version).toBe(first.body.version);
    expect((await api.get(`/secrets/${name}/versions`)).body.value).toHaveLength(1);

    const other = await api.put(`/secrets/${name}`, { value: 'different' }, { headers: { 'idempotency-key': key } });
    expect(other.status).toBe(422);
    expect(errorCodeOf(other)).toBe('IdempotencyKeyReused');

    const concurrent = await Promise.all(Array.from({ length: 5 }, () => api.put(`/secrets/${name}`, { value: 'race' }, { headers: { 'idempotency-key': `${key}-race` } })));
    const versions = new Set(concurrent.filter((r) => r.status === 200).map((r) => r.body.version));
    expect(versions.size).toBe(1);
    expect(concurrent.every((r) => r.status === 200 || (r.status === 409 && errorCodeOf(r) === 'RequestInProgress'))).toBe(true);
    expect((await api.get(`/secrets/${name}/versions`)).body.value).toHaveLength(2);
  });
});
