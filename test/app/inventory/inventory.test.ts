// The inventory end to end: an app with two vaults (one emulator serving `main`, the default
// vault, and `payments`), a refresh that only reads, the timer run that rotates and renews and
// writes each vault's snapshot to blob storage, and GET /api/inventory serving them. Never a value.
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryResponse } from '../../../src/inventory/model.js';
import { inventoryBlobName, INVENTORY_CONTAINER } from '../../../src/inventory/store.js';
import { errorCodeOf, uniqueName } from '../../support/api.js';
import { startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import { waitForOperation } from '../../support/operations.js';
import { RotationTimer, until } from '../../support/rotation.js';

const canary = `CANARY-${Math.random().toString(36).slice(2)}-INVENTORY`;
const DAY = 86_400_000;
// Key Vault's default policy renews certificates itself (AutoRenew); these are left to the app.
const renewedByTheApp = { lifetimeActions: [{ action: 'EmailContacts', lifetimePercentage: 80 }] };
const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString();
let app: IsolatedApp;
let timer: RotationTimer;

beforeAll(async () => {
  app = await startIsolatedApp({ emulator: { vaults: ['main', 'payments'] } });
  timer = new RotationTimer(app);
}, 120_000);
afterAll(async () => app?.stop());

const inventory = async (query = '') => {
  const response = await app.api.get(`/inventory${query}`);
  expect(response.status, response.text).toBe(200);
  expect(response.text).not.toContain('CANARY-');
  return response.body as InventoryResponse;
};
const find = (body: InventoryResponse, vault: string, name: string) => body.items.find((item) => item.vault === vault && item.name === name);

describe('GET /api/inventory', () => {
  const names = {
    due: uniqueName('inv-due'),
    scheduled: uniqueName('inv-later'),
    invalid: uniqueName('inv-bad'),
    expiring: uniqueName('inv-exp'),
    cert: uniqueName('inv-cert'),
  };
  const payments = { due: uniqueName('inv-pay-due'), expiring: uniqueName('inv-pay-exp') };

  it('is built by a refresh that changes nothing, then by each timer run, per vault, without a value', { timeout: 240_000 }, async () => {
    const twoDaysAgo = inDays(-2);
    await app.api.put(`/secrets/${names.due}`, { value: canary, tags: { 'rotation-interval': 'P1D', 'rotated-at': twoDaysAgo, team: 'web' } });
    await app.api.put(`/secrets/${names.scheduled}`, { value: canary, tags: { 'rotation-interval': 'P30D' } });
    await app.api.put(`/secrets/${names.invalid}`, { value: canary, tags: { 'rotation-interval': 'every tuesday' } });
    await app.api.put(`/secrets/${names.expiring}`, { value: canary, expiresOn: inDays(5) });
    // A 12-month certificate is inside a 400-day renewal window at once.
    const created = await app.api.put(`/certificates/${names.cert}`, { policy: { subject: `CN=${names.cert}`, ...renewedByTheApp }, tags: { 'renew-before': 'P400D' } });
    expect((await waitForOperation(app.api, created.headers.get('operation-location')!)).status).toBe('Succeeded');
    await app.api.put(`/vaults/payments/secrets/${payments.due}`, { value: canary, tags: { 'rotation-interval': 'P1D', 'rotated-at': twoDaysAgo } });
    await app.api.put(`/vaults/payments/secrets/${payments.expiring}`, { value: canary, expiresOn: inDays(20), tags: { team: 'payments' } });

    // Nothing is there before the first run or refresh. `main` names the default vault: it is listed once.
    const empty = await inventory();
    expect(empty.vaults.map((vault) => [vault.vault, vault.generatedAt, vault.complete])).toEqual([
      ['default', undefined, false],
      ['payments', undefined, false],
    ]);

    const refreshed = await inventory('?refresh=true');
    expect(refreshed.vaults.every((vault) => vault.source === 'refresh' && vault.complete)).toBe(true);
    expect(find(refreshed, 'default', names.due)!.rotation).toMatchObject({ state: 'due', policy: 'rotation-interval=P1D', lastRotatedAt: twoDaysAgo });
    expect(find(refreshed, 'default', names.scheduled)!.rotation).toMatchObject({ state: 'scheduled', nextDueAt: expect.any(String) });
    expect(find(refreshed, 'default', names.invalid)!.rotation).toMatchObject({ state: 'invalid', problem: expect.stringContaining('rotation-interval') });
    expect(find(refreshed, 'default', names.expiring)).toMatchObject({ kind: 'secret', enabled: true, rotation: { state: 'none' } });
    expect(Date.parse(find(refreshed, 'default', names.expiring)!.expiresOn!)).toBeGreaterThan(Date.now() + 4 * DAY);
    expect(find(refreshed, 'default', names.cert)).toMatchObject({
      kind: 'certificate',
      renewal: { state: 'due', dueAt: expect.any(String) },
      path: `/certificates/${names.cert}`,
    });
    expect(find(refreshed, 'default', names.cert)!.url).toBe(`${app.api.baseUrl}/certificates/${names.cert}`);
    expect(find(refreshed, 'payments', payments.expiring)).toMatchObject({ tags: { team: 'payments' }, path: `/vaults/payments/secrets/${payments.expiring}` });
    expect(find(refreshed, 'payments', names.due)).toBeUndefined();
    // A refresh only reads: no new version, no renewal, no event.
    expect((await app.api.get(`/secrets/${names.due}/versions`)).body.value).toHaveLength(1);
    expect((await app.api.get(`/certificates/${names.cert}/versions`)).body.value).toHaveLength(1);
    expect(await timer.drain()).toEqual([]);

    // Refreshing again at once is refused (INVENTORY_REFRESH_SECONDS, 60 s by default) and changes nothing.
    const throttled = await app.api.get('/inventory?refresh=true');
    expect(throttled.status).toBe(429);
    expect(errorCodeOf(throttled)).toBe('InventoryRefreshThrottled');
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);

    await timer.run('the rotation run to finish');
    await until(() => timer.lastRun('payments'), "the payments vault's run");
    const afterRun = await until(async () => {
      const body = await inventory();
      return body.vaults.every((vault) => vault.source === 'rotation-run') ? body : undefined;
    }, 'both snapshots from the run');
    expect(afterRun.vaults.every((vault) => vault.complete)).toBe(true);
    expect(find(afterRun, 'default', names.due)!.rotation).toMatchObject({ state: 'scheduled' });
    expect(Date.parse(find(afterRun, 'default', names.due)!.rotation!.lastRotatedAt!)).toBeGreaterThan(Date.parse(twoDaysAgo));
    expect(find(afterRun, 'payments', payments.due)!.rotation).toMatchObject({ state: 'scheduled' });
    expect(find(afterRun, 'default', names.cert)!.renewal).toMatchObject({ state: 'in-progress', operationId: expect.any(String) });
    expect(find(afterRun, 'default', names.invalid)!.rotation!.state).toBe('invalid');

    // One vault only; unknown and malformed aliases.
    const onlyPayments = await inventory('?vault=payments');
    expect(new Set(onlyPayments.items.map((item) => item.vault))).toEqual(new Set(['payments']));
    expect(onlyPayments.vaults.map((vault) => vault.vault)).toEqual(['payments']);
    expect(errorCodeOf(await app.api.get('/inventory?vault=nope'))).toBe('VaultNotFound');
    expect((await app.api.get('/inventory?vault=Not_An_Alias')).status).toBe(400);

    // The snapshots in blob storage hold no value either.
    const container = BlobServiceClient.fromConnectionString(app.storageConnectionString).getContainerClient(INVENTORY_CONTAINER);
    for (const url of [app.emulator.vaults.main!.url, app.emulator.vaults.payments!.url]) {
      const text = (await container.getBlobClient(inventoryBlobName(url)).downloadToBuffer()).toString('utf8');
      expect(text).toContain('"source":"rotation-run"');
      expect(text).not.toContain('CANARY-');
    }
    expect(app.output()).not.toContain('CANARY-');
  });

  it('renews certificates in every vault, each with its own bookkeeping', { timeout: 240_000 }, async () => {
    const name = uniqueName('inv-paycert');
    const created = await app.api.put(`/vaults/payments/certificates/${name}`, { policy: { subject: `CN=${name}`, ...renewedByTheApp }, tags: { 'renew-before': 'P400D' } });
    expect((await waitForOperation(app.api, created.headers.get('operation-location')!)).status).toBe('Succeeded');
    await timer.run('a rotation run to finish');
    const record = await until(async () => {
      const last = await timer.lastRun('payments');
      return last && last.renewalsStarted > 0 ? last : undefined;
    }, "the payments vault's run to start a renewal");
    expect(record.certificatesNearExpiry).toBeGreaterThanOrEqual(1);
    const renewing = await until(async () => find(await inventory('?vault=payments'), 'payments', name)?.renewal?.operationId, 'the renewal in the inventory');
    const operation = await waitForOperation(app.api, `${app.api.baseUrl}/vaults/payments/operations/${renewing}`);
    expect(operation).toMatchObject({ kind: 'certificate.renew', status: 'Succeeded', target: { name, vault: 'payments' } });
    expect((await app.api.get(`/vaults/payments/certificates/${name}/versions`)).body.value).toHaveLength(2);
  });
});
