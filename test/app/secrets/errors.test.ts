// Every error path of the secrets API: bad input, keys, roles, and Key Vault's own refusals.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, clientPrincipal as principal, errorCodeOf, uniqueName } from '../../support/api.js';
import { emulatorAdmin, startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';

const stack = inject('stack');
const api = new ApiClient(stack.apiBaseUrl, stack.functionKey);

describe('bad input gets a 4xx naming the field, and writes nothing', () => {
  const name = uniqueName('bad-input');

  it.each([
    ['malformed JSON', { rawBody: '{"value": "x"', headers: { 'content-type': 'application/json' } }, 400, 'InvalidJson', undefined],
    ['no body', {}, 400, 'MissingRequestBody', undefined],
    ['a number for value', { body: { value: 42 } }, 400, 'InvalidRequest', 'value'],
    ['a missing value', { body: { contentType: 'text/plain' } }, 400, 'InvalidRequest', 'value'],
    ['an unknown field', { body: { value: 'x', colour: 'red' } }, 400, 'InvalidRequest', 'colour'],
    ['16 tags', { body: { value: 'x', tags: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`t${i}`, 'v'])) } }, 400, 'InvalidRequest', 'tags'],
    ['a 256-char content type', { body: { value: 'x', contentType: 'a'.repeat(256) } }, 400, 'InvalidRequest', 'contentType'],
    ['a date that is not ISO 8601', { body: { value: 'x', expiresOn: 'next tuesday' } }, 400, 'InvalidRequest', 'expiresOn'],
    ['a value over 25 KiB', { body: { value: 'x'.repeat(25 * 1024 + 1) } }, 400, 'InvalidRequest', 'value'],
    [
      'a body over the size limit',
      { rawBody: JSON.stringify({ value: 'x'.repeat(100_000) }), headers: { 'content-type': 'application/json' } },
      413,
      'PayloadTooLarge',
      undefined,
    ],
    ['a non-JSON content type', { rawBody: 'value=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'UnsupportedMediaType', undefined],
  ] as const)('PUT with %s', async (_case, options, status, code, target) => {
    const response = await api.call('PUT', `/secrets/${name}`, options as never);
    expect(response.status).toBe(status);
    expect(errorCodeOf(response)).toBe(code);
    if (target) expect(response.body.error.target).toBe(target);
    expect(response.text).not.toContain('x'.repeat(50));
    expect((await api.get(`/secrets/${name}`)).status).toBe(404);
  });

  it('rejects bad names and versions in the path', async () => {
    const badName = await api.get('/secrets/not_valid!');
    expect(badName.status).toBe(400);
    expect(badName.body.error.target).toBe('path.name');
    const longName = await api.get(`/secrets/${'a'.repeat(128)}`);
    expect(longName.status).toBe(400);
    const badVersion = await api.get('/secrets/fine/versions/xyz');
    expect(badVersion.status).toBe(400);
    expect(badVersion.body.error.target).toBe('path.version');
  });

  it('rejects an empty PATCH and unknown PATCH fields', async () => {
    const created = await api.put(`/secrets/${uniqueName('patch-bad')}`, { value: 'x' });
    const path = `/secrets/${created.body.name}`;
    expect((await api.patch(path, {})).status).toBe(400);
    const unknown = await api.patch(path, { value: 'sneaky' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.target).toBe('value');
    expect((await api.get(path)).body.value).toBe('x');
  });
});

describe('function keys', () => {
  it('every secrets route needs a key (header or ?code=); health, openapi and docs do not', async () => {
    const routes: [string, string][] = [
      ['GET', '/secrets'],
      ['PUT', '/secrets/x'],
      ['GET', '/secrets/x'],
      ['PATCH', '/secrets/x'],
      ['DELETE', '/secrets/x'],
      ['GET', '/secrets/x/versions'],
      ['GET', `/secrets/x/versions/${'a'.repeat(32)}`],
      ['PATCH', `/secrets/x/versions/${'a'.repeat(32)}`],
      ['GET', '/deleted-secrets'],
      ['GET', '/deleted-secrets/x'],
      ['POST', '/deleted-secrets/x/recover'],
      ['DELETE', '/deleted-secrets/x'],
      ['GET', '/keys/x'],
      ['GET', `/keys/x/versions/${'a'.repeat(32)}`],
    ];
    for (const [method, path] of routes) {
      expect((await api.call(method, path, { key: false })).status, `${method} ${path}`).toBe(401);
      expect((await api.call(method, path, { key: 'wrong-key' })).status, `${method} ${path}`).toBe(401);
    }
    expect((await api.get(`/secrets?code=${stack.functionKey}`, { key: false })).status).toBe(200);
    for (const path of ['/health', '/openapi.json', '/docs']) expect((await api.get(path, { key: false })).status, path).toBe(200);
  });
});

describe('with AUTH_ROLES=true, and a vault that refuses or throttles', () => {
  let app: IsolatedApp;
  const officer = { headers: { 'x-ms-client-principal': principal('Vault.Officer') } };

  beforeAll(async () => {
    app = await startIsolatedApp({ settings: { AUTH_ROLES: 'true' } });
  });
  afterAll(async () => app?.stop());

  it('enforces Vault.Reader, Vault.SecretsReader and Vault.Officer from x-ms-client-principal', async () => {
    const name = uniqueName('roles');
    const as = (...roles: string[]) => ({ headers: { 'x-ms-client-principal': principal(...roles) } });

    const anonymous = await app.api.put(`/secrets/${name}`, { value: 'v' });
    expect(anonymous.status).toBe(401);
    expect(errorCodeOf(anonymous)).toBe('Unauthorized');
    const readerWrites = await app.api.put(`/secrets/${name}`, { value: 'v' }, as('Vault.Reader'));
    expect(readerWrites.status).toBe(403);
    expect(errorCodeOf(readerWrites)).toBe('Forbidden');
    expect((await app.api.put(`/secrets/${name}`, { value: 'v' }, as('Vault.Officer'))).status).toBe(201);

    expect((await app.api.get(`/secrets/${name}`, as('Vault.Reader'))).status).toBe(403);
    expect((await app.api.get(`/secrets/${name}/versions`, as('Vault.Reader'))).status).toBe(200);
    expect((await app.api.get(`/secrets/${name}`, as('Vault.SecretsReader'))).body.value).toBe('v');
    expect((await app.api.delete(`/secrets/${name}`, as('Vault.SecretsReader'))).status).toBe(403);
    const garbage = await app.api.get(`/secrets`, { headers: { 'x-ms-client-principal': '%%%' } });
    expect(garbage.status).toBe(401);
    expect((await app.api.get('/health')).status).toBe(200);
  });

  it('reads exactly one vault page per API page, however many secrets there are', async () => {
    for (let i = 0; i < 30; i++) await app.api.put(`/secrets/${uniqueName('many')}`, { value: 'v' }, officer);
    await fetch(`${app.emulator.adminUrl}/reset`, { method: 'POST', headers: { 'content-type': 'application/json', ...app.emulator.adminHeaders }, body: '{}' });
    let next: string | null = `${app.api.baseUrl}/secrets?maxPageSize=7`;
    let pages = 0;
    let items = 0;
    while (next) {
      const page: { body: any } = await app.api.get(next, officer);
      items += page.body.value.length;
      next = page.body.nextLink;
      pages++;
    }
    expect(items).toBeGreaterThanOrEqual(30);
    const counters = (await (await fetch(`${app.emulator.adminUrl}/counters`, { headers: app.emulator.adminHeaders })).json()) as {
      operations: Record<string, { calls: number }>;
    };
    expect(counters.operations.listSecrets?.calls).toBe(pages);
  });

  it('maps a vault role refusal (ForbiddenByRbac) to 403 VaultAccessDenied', async () => {
    const before = await (await fetch(`${app.emulator.adminUrl}/role-assignments`, { headers: app.emulator.adminHeaders })).json();
    const system = app.emulator.principals.find((p) => p.name === 'system')!;
    await emulatorAdmin(app.emulator, 'role-assignments', [{ principalId: system.objectId, role: 'Key Vault Secrets User' }]);
    try {
      const response = await app.api.put(`/secrets/${uniqueName('rbac')}`, { value: 'v' }, officer);
      expect(response.status).toBe(403);
      expect(errorCodeOf(response)).toBe('VaultAccessDenied');
    } finally {
      await emulatorAdmin(app.emulator, 'role-assignments', before);
    }
  });

  it('passes 429 through with Retry-After once the SDK has retried, and maps 503', async () => {
    const name = uniqueName('throttled');
    await app.api.put(`/secrets/${name}`, { value: 'v' }, officer);
    // The SDK makes 1 + 3 attempts, each answered 429 with Retry-After: 1.
    await emulatorAdmin(app.emulator, 'faults', { burst: { status: 429, count: 4 }, operations: ['getSecret'], retryAfterSeconds: 1 });
    const throttled = await app.api.get(`/secrets/${name}`, officer);
    expect(throttled.status).toBe(429);
    expect(errorCodeOf(throttled)).toBe('Throttled');
    expect(throttled.headers.get('retry-after')).toBe('1');

    await emulatorAdmin(app.emulator, 'faults', { burst: { status: 429, count: 2 }, operations: ['getSecret'] });
    const recovered = await app.api.get(`/secrets/${name}`, officer);
    expect(recovered.status).toBe(200);

    await emulatorAdmin(app.emulator, 'faults', { burst: { status: 503, count: 4 }, operations: ['getSecret'] });
    const unavailable = await app.api.get(`/secrets/${name}`, officer);
    expect(unavailable.status).toBe(503);
    expect(errorCodeOf(unavailable)).toBe('VaultUnavailable');
    await emulatorAdmin(app.emulator, 'faults', { operations: [] });
  });

  it('turns an unreachable vault into 503, and never a stack trace', async () => {
    await app.emulator.stop();
    const response = await app.api.get(`/secrets/${uniqueName('gone')}`, officer);
    expect(response.status).toBe(503);
    expect(errorCodeOf(response)).toBe('VaultUnavailable');
    expect(response.text).not.toMatch(/at .*\.js:\d+/);

    const health = await app.api.get('/health/deep', officer);
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'Unhealthy', checks: { vault: { status: 'Unhealthy' }, storage: { status: 'Healthy' } } });
  });
});
