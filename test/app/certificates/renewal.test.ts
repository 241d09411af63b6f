// Certificate renewal started by the timer goes through the same path as POST .../renew: the
// new version keeps the certificate's tags and enabled state, and a renewal whose job cannot be
// queued ends Failed at once instead of holding the certificate's name.
import { odata, TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniqueName } from '../../support/api.js';
import { startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import { waitForOperation } from '../../support/operations.js';
import type { QueueProxy } from '../../support/queueProxy.js';

const until = async (condition: () => Promise<boolean>, what: string, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

describe('renewal by the timer', () => {
  const storage = inject('storage');
  let proxy: QueueProxy;
  let app: IsolatedApp;
  beforeAll(async () => {
    // The app reaches its queues through a proxy that can refuse sends to the jobs queue.
    app = await startIsolatedApp({ queueProxy: true });
    proxy = app.queueProxy!;
  }, 120_000);
  afterAll(async () => app?.stop());

  // Key Vault's default lifetime action is AutoRenew, which leaves renewal to Key Vault: these only email.
  const createRenewable = async (name: string, tags: Record<string, string>) => {
    const policy = { subject: `CN=${name}`, lifetimeActions: [{ action: 'EmailContacts', lifetimePercentage: 80 }] };
    const created = await app.api.put(`/certificates/${name}`, { policy, tags, enabled: true });
    expect(created.status).toBe(202);
    expect((await waitForOperation(app.api, created.headers.get('operation-location')!)).status).toBe('Succeeded');
  };

  /** The operations recorded for a certificate, read from the app's table. */
  const operationsOf = async (name: string) => {
    const table = TableClient.fromConnectionString(storage.connectionString, app.operationsTable, { allowInsecureConnection: true });
    const rows: { rowKey: string; kind: string; status: string; errorCode?: string }[] = [];
    for await (const row of table.listEntities<{ kind: string; status: string; errorCode?: string }>({
      queryOptions: { filter: odata`PartitionKey eq 'operation' and targetName eq ${name}` },
    })) {
      rows.push(row as (typeof rows)[number]);
    }
    return rows;
  };

  const runTimer = async () => {
    const response = await fetch(`${app.host.baseUrl}/admin/functions/rotation`, {
      method: 'POST',
      headers: { 'x-functions-key': app.host.masterKey, 'content-type': 'application/json' },
      body: JSON.stringify({ input: '' }),
    });
    expect(response.status).toBe(202);
  };

  it('keeps every tag and the enabled state of the certificate it renews', { timeout: 120_000 }, async () => {
    const name = uniqueName('keeptags');
    // A 12-month certificate is inside a 400-day renewal window at once.
    const tags = { 'renew-before': 'P400D', team: 'payments', 'cost-center': '4711' };
    await createRenewable(name, tags);
    const first = (await app.api.get(`/certificates/${name}`)).body;

    await runTimer();
    await until(async () => (await app.api.get(`/certificates/${name}`)).body.version !== first.version, 'the renewed version');

    const renewed = (await app.api.get(`/certificates/${name}`)).body;
    expect(renewed.properties.tags).toEqual(tags);
    expect(renewed.properties.enabled).toBe(true);
    expect((await app.api.get(`/certificates/${name}/versions`)).body.value).toHaveLength(2);
  });

  it('fails a renewal whose job cannot be queued and leaves the name free', { timeout: 120_000 }, async () => {
    const name = uniqueName('noqueue');
    await createRenewable(name, { 'renew-before': 'P400D' });
    proxy.failSends = new RegExp(`^${app.jobsQueue}$`);
    try {
      await runTimer();
      await until(async () => (await operationsOf(name)).some((row) => row.kind === 'certificate.renew' && row.status === 'Failed'), 'the failed renewal');
    } finally {
      proxy.failSends = undefined;
    }
    const renewal = (await operationsOf(name)).find((row) => row.kind === 'certificate.renew')!;
    expect(renewal.errorCode).toBe('QueueUnavailable');
    expect((await app.api.get(`/operations/${renewal.rowKey}`)).body).toMatchObject({ status: 'Failed', error: { code: 'QueueUnavailable' } });

    // Nothing holds the name: another operation starts and finishes.
    const deleted = await app.api.delete(`/certificates/${name}`);
    expect(deleted.status).toBe(202);
    expect(deleted.body.id).not.toBe(renewal.rowKey);
    expect((await waitForOperation(app.api, deleted.headers.get('operation-location')!)).status).toBe('Succeeded');
  });
});
