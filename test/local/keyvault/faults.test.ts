// Fault injection, throttle limits, per-operation counters and the admin routes.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../local/keyvault/index.js';
import { adminRequest, localSecretClient, rawRequest, startTestEmulator, tokenFor } from './helpers.js';

let emulator: RunningEmulator;
let auth: Record<string, string>;

beforeAll(async () => {
  emulator = await startTestEmulator();
  auth = { authorization: `Bearer ${await tokenFor(emulator)}` };
});

afterAll(async () => {
  await emulator?.stop();
});

beforeEach(async () => {
  expect((await adminRequest(emulator, 'POST', '/reset')).status).toBe(200);
});

const listPath = '/secrets?api-version=2026-04-01';

describe('fault injection', () => {
  it('429 with Retry-After is retried by the SDK and succeeds; counters show it', async () => {
    const client = localSecretClient(emulator);
    await client.setSecret('retry-me', 'ok');
    const put = await adminRequest(emulator, 'PUT', '/faults', { burst: { status: 429, count: 2 }, retryAfterSeconds: 1, operations: ['getSecret'] });
    expect(put.status).toBe(200);
    const started = Date.now();
    expect((await client.getSecret('retry-me')).value).toBe('ok');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    const counters = (await adminRequest(emulator, 'GET', '/counters')).json() as {
      total: number;
      operations: Record<string, { calls: number; statuses: Record<string, number> }>;
    };
    expect(counters.operations['getSecret']).toEqual({ calls: 3, statuses: { '429': 2, '200': 1 } });
    expect(counters.operations['setSecret']?.statuses['200']).toBe(1);
  });

  it('injected 429/503 always carry Retry-After and the Key Vault error shape', async () => {
    await adminRequest(emulator, 'PUT', '/faults', { throttleRate: 1, retryAfterSeconds: 7 });
    const throttled = await rawRequest(emulator, { path: listPath, headers: auth });
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('7');
    expect((throttled.json() as { error: { code: string } }).error.code).toBe('Throttled');

    await adminRequest(emulator, 'PUT', '/faults', { throttleRate: 0, unavailableRate: 1, retryAfterSeconds: 2 });
    const unavailable = await rawRequest(emulator, { path: listPath, headers: auth });
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers['retry-after']).toBe('2');

    // The 401 challenge itself is never faulted.
    expect((await rawRequest(emulator, { path: listPath })).status).toBe(401);
  });

  it('drop closes the connection of the next selected requests without an answer', async () => {
    await adminRequest(emulator, 'PUT', '/faults', { drop: { count: 1 }, operations: ['listSecrets'] });
    await expect(rawRequest(emulator, { path: listPath, headers: auth })).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect((await rawRequest(emulator, { path: listPath, headers: auth })).status).toBe(200);
    expect(((await adminRequest(emulator, 'GET', '/faults')).json() as { drop: unknown }).drop).toEqual({ count: 0 });
  });

  it('a rate applies to roughly that share of requests', async () => {
    await adminRequest(emulator, 'PUT', '/faults', { throttleRate: 0.5 });
    const statuses = await Promise.all(Array.from({ length: 60 }, () => rawRequest(emulator, { path: listPath, headers: auth }).then((r) => r.status)));
    const throttled = statuses.filter((s) => s === 429).length;
    expect(throttled).toBeGreaterThan(10);
    expect(throttled).toBeLessThan(50);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
  });

  it('adds latency', async () => {
    await adminRequest(emulator, 'PUT', '/faults', { latencyMs: 300 });
    const started = Date.now();
    expect((await rawRequest(emulator, { path: listPath, headers: auth })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('enforces a per-vault transaction limit with Retry-After', async () => {
    const faults = (await adminRequest(emulator, 'PUT', '/faults', { limit: { enabled: true, requests: 3, windowMs: 2000 } })).json() as {
      limit: { requests: number };
    };
    expect(faults.limit.requests).toBe(3);
    const statuses: number[] = [];
    let retryAfter: string | string[] | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await rawRequest(emulator, { path: listPath, headers: auth });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers['retry-after'];
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(2);
    // Another vault (host) has its own budget.
    expect((await rawRequest(emulator, { path: listPath, headers: auth, host: 'other.vault.azure.net' })).status).toBe(200);
  });

  it('defaults to the real limit (4,000 per 10 s) and validates admin input', async () => {
    const faults = (await adminRequest(emulator, 'GET', '/faults')).json() as { limit: { enabled: boolean; requests: number; windowMs: number } };
    expect(faults.limit).toEqual({ enabled: false, requests: 4000, windowMs: 10000 });
    expect((await adminRequest(emulator, 'PUT', '/faults', { throttleRate: 2 })).status).toBe(400);
    expect((await rawRequest(emulator, { method: 'PUT', path: '/_emulator/faults', body: '{oops' })).status).toBe(400);
  });
});

describe('admin routes', () => {
  it('settings, info, health, reset of data', async () => {
    expect((await adminRequest(emulator, 'GET', '/health')).json()).toEqual({ status: 'ok' });
    const settings = (await adminRequest(emulator, 'PUT', '/settings', { certificateCreateMs: 1500 })).json();
    expect(settings).toEqual({ timing: 'custom', certificateCreateMs: 1500, deleteMs: 0, recoverMs: 0, purgeMs: 0 });
    expect(emulator.settings.certificateCreateMs).toBe(1500);
    const realistic = (await adminRequest(emulator, 'PUT', '/settings', { timing: 'realistic' })).json();
    expect(realistic).toEqual({ timing: 'realistic', certificateCreateMs: 2000, deleteMs: 2000, recoverMs: 2000, purgeMs: 2000 });
    expect((await adminRequest(emulator, 'PUT', '/settings', { timing: 'instant', deleteMs: 300 })).json()).toMatchObject({ timing: 'custom', deleteMs: 300, purgeMs: 0 });
    expect((await adminRequest(emulator, 'PUT', '/settings', { timing: 'slow' })).status).toBe(400);
    expect((await adminRequest(emulator, 'PUT', '/settings', { certificateCreateDelayMs: 5 })).status).toBe(400);
    expect((await adminRequest(emulator, 'PUT', '/settings', { deleteMs: -1 })).status).toBe(400);
    expect((await adminRequest(emulator, 'GET', '/settings')).json()).toMatchObject({ timing: 'custom', deleteMs: 300 });
    await adminRequest(emulator, 'PUT', '/settings', { timing: 'instant' });
    const info = (await adminRequest(emulator, 'GET', '/info')).json() as { vaultUrl: string; principals: Array<{ roles: string[] }> };
    expect(info.vaultUrl).toBe(emulator.vaultUrl);
    expect(info.principals[0]!.roles).toEqual(['Key Vault Secrets Officer', 'Key Vault Certificates Officer']);

    const client = localSecretClient(emulator);
    await client.setSecret('wipe-me', 'x');
    await adminRequest(emulator, 'POST', '/reset', { data: true });
    await expect(client.getSecret('wipe-me')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('an admin token protects the admin routes when configured', async () => {
    const guarded = await startEmulator({ port: 0, inMemory: true, adminToken: 'let-me-in' });
    try {
      expect((await rawRequest(guarded, { path: '/_emulator/counters' })).status).toBe(401);
      const ok = await rawRequest(guarded, { path: '/_emulator/counters', headers: { 'x-emulator-admin-token': 'let-me-in' } });
      expect(ok.status).toBe(200);
    } finally {
      await guarded.stop();
    }
  });

  it('the admin token guard follows the matched route, whatever the spelling of its path', async () => {
    const guarded = await startEmulator({ port: 0, inMemory: true, adminToken: 'let-me-in' });
    try {
      const before = guarded.roles.list();
      const bearer = `Bearer ${await guarded.identity.issueToken('system', 'https://vault.azure.net')}`;
      const grant = JSON.stringify([...before, { principalId: guarded.principals[0]!.objectId, role: 'Key Vault Administrator' }]);
      for (const path of ['/_EMULATOR/role-assignments', '/_Emulator/Role-Assignments', '/_emulator/role-assignments']) {
        const denied = await rawRequest(guarded, {
          method: 'PUT',
          path,
          headers: { 'content-type': 'application/json', authorization: bearer, 'x-emulator-admin-token': 'let-me-Out' },
          body: grant,
        });
        expect(denied.status, path).toBe(401);
        expect((denied.json() as { error: { code: string } }).error.code).toBe('Unauthorized');
      }
      expect(guarded.roles.list()).toEqual(before);
      const allowed = await rawRequest(guarded, { path: '/_EMULATOR/counters', headers: { 'x-emulator-admin-token': 'let-me-in' } });
      expect(allowed.status).toBe(200);
    } finally {
      await guarded.stop();
    }
  });

  it('a busy port fails with a message naming the port', async () => {
    await expect(startEmulator({ port: emulator.port, inMemory: true })).rejects.toThrow(new RegExp(`port ${emulator.port}.*already in use`));
  });
});
