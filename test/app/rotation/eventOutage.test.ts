// Rotation while the events queue refuses every message: the new versions count (rotate-now
// answers 200, the timer does not rotate again), and the SecretRotated events, kept in the outbox,
// reach the queue with their original time once a later run finds the queue working again.
import { TableClient, odata } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniqueName } from '../../support/api.js';
import { startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import type { QueueProxy } from '../../support/queueProxy.js';
import { RotationTimer } from '../../support/rotation.js';

interface Event {
  type: string;
  name: string;
  version?: string;
  time: string;
  reason?: string;
}

const storage = inject('storage');
let proxy: QueueProxy;
let app: IsolatedApp;

beforeAll(async () => {
  app = await startIsolatedApp({ queueProxy: true });
  proxy = app.queueProxy!;
}, 120_000);

afterAll(async () => app?.stop());

const runTimer = () => new RotationTimer(app).invokeAndWait();

/** Every event on the app's queue, read around the proxy. */
async function events(): Promise<Event[]> {
  const queue = QueueServiceClient.fromConnectionString(storage.connectionString).getQueueClient(app.eventsQueue);
  if (!(await queue.exists())) return [];
  const peeked = await queue.peekMessages({ numberOfMessages: 32 });
  return peeked.peekedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as Event);
}

async function outboxRows(): Promise<Record<string, unknown>[]> {
  const table = TableClient.fromConnectionString(storage.connectionString, app.operationsTable, { allowInsecureConnection: true });
  const rows: Record<string, unknown>[] = [];
  try {
    for await (const row of table.listEntities({ queryOptions: { filter: odata`PartitionKey eq 'outbox'` } })) rows.push(row);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  return rows;
}

const versionsOf = async (name: string) => (await app.api.get(`/secrets/${name}/versions`)).body.value as { version: string }[];

describe('rotation while the events queue fails', () => {
  it('counts the new versions as rotated and delivers their events after the outage', { timeout: 240_000 }, async () => {
    const due = uniqueName('outage');
    const manual = uniqueName('outagenow');
    // Due now (expires within the 2-day window); the new version's 30-day validity is not due.
    const expiresOn = new Date(Date.now() + 86_400_000).toISOString();
    await app.api.put(`/secrets/${due}`, { value: 'v0', expiresOn, tags: { 'rotate-before-expiry': 'P2D', validity: 'P30D' } });
    await app.api.put(`/secrets/${manual}`, { value: 'v0' });

    proxy.failSends = new RegExp(`^${app.eventsQueue}$`);
    const rotated = await app.api.post(`/secrets/${manual}/rotate`);
    expect(rotated.status, rotated.text).toBe(200);
    await runTimer();
    expect(proxy.refused).toBeGreaterThan(0);

    const dueVersions = await versionsOf(due);
    expect(dueVersions).toHaveLength(2);
    expect(await versionsOf(manual)).toHaveLength(2);
    const dueLatest = (await app.api.get(`/secrets/${due}`)).body.version as string;
    expect((await events()).filter((e) => e.type === 'SecretRotated')).toEqual([]);
    const kept = await outboxRows();
    expect(kept.map((row) => [row.type, row.name, row.version]).sort()).toEqual(
      [
        ['SecretRotated', due, dueLatest],
        ['SecretRotated', manual, rotated.body.version],
      ].sort(),
    );
    // Names, versions and reasons only.
    for (const row of kept) expect(Object.keys(row).filter((key) => !/^(partitionKey|rowKey|etag|timestamp|type|name|version|time|reason)$/.test(key))).toEqual([]);

    // Still failing: the next run neither rotates again nor loses the kept events.
    await runTimer();
    expect(await versionsOf(due)).toHaveLength(2);
    expect(await outboxRows()).toHaveLength(2);

    proxy.failSends = undefined;
    const restoredAt = Date.now();
    await runTimer();
    expect(await versionsOf(due)).toHaveLength(2);
    const delivered = (await events()).filter((e) => e.type === 'SecretRotated');
    expect(delivered.map((e) => [e.name, e.version]).sort()).toEqual(
      [
        [due, dueLatest],
        [manual, rotated.body.version],
      ].sort(),
    );
    for (const event of delivered) expect(Date.parse(event.time)).toBeLessThan(restoredAt);
    expect((await events()).filter((e) => e.type === 'OperationFailed')).toEqual([]);
    expect(await outboxRows()).toEqual([]);
  });
});
