// The outbox and the queue sender against Azurite: rows in the operations table, oldest first,
// holding the event's fields only; an events queue deleted after first use is created again.
import { TableClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import { describe, expect, inject, it } from 'vitest';
import { QueueEventPublisher, ReliableEventPublisher, type VaultEvent } from '../../../src/platform/events.js';
import { TableOutbox } from '../../../src/platform/outbox.js';

const storage = inject('storage');
const suffix = () => Math.random().toString(36).slice(2, 10);
const tableFor = (name: string) => TableClient.fromConnectionString(storage.connectionString, name, { allowInsecureConnection: true });

async function received(queueName: string): Promise<VaultEvent[]> {
  const queue = QueueServiceClient.fromConnectionString(storage.connectionString).getQueueClient(queueName);
  const peeked = await queue.peekMessages({ numberOfMessages: 32 });
  return peeked.peekedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as VaultEvent);
}

describe('table outbox', () => {
  it('keeps events in its own partition, lists them oldest first and removes them', async () => {
    const name = `outbox${suffix()}`;
    const table = tableFor(name);
    const outbox = new TableOutbox(table);
    const events: VaultEvent[] = [
      { type: 'SecretRotated', name: 'c', version: 'v3', time: '2026-03-01T10:00:03.000Z', reason: 'replaces v2' },
      { type: 'OperationFailed', name: 'a', vault: 'payments', time: '2026-03-01T10:00:01.000Z', reason: 'certificate.renew failed' },
      { type: 'CertificateRenewed', name: 'b', version: 'v9', time: '2026-03-01T10:00:02.000Z' },
    ];
    for (const event of events) await outbox.add(event);
    await table.createEntity({ partitionKey: 'operation', rowKey: 'not-an-event', kind: 'certificate.create' });

    const listed = await outbox.list(10);
    expect(listed.map((row) => row.event)).toEqual([events[1], events[2], events[0]]);
    const raw: Record<string, unknown>[] = [];
    for await (const entity of table.listEntities()) if (entity.partitionKey === 'outbox') raw.push(entity);
    for (const entity of raw)
      expect(
        Object.keys(entity).filter((key) => !['partitionKey', 'rowKey', 'etag', 'timestamp', 'type', 'name', 'vault', 'version', 'time', 'reason'].includes(key)),
      ).toEqual([]);

    expect(await outbox.list(2)).toHaveLength(2);
    for (const row of listed) await outbox.remove(row.id);
    await outbox.remove(listed[0]!.id);
    expect(await outbox.list(10)).toEqual([]);
    expect((await table.getEntity('operation', 'not-an-event')).kind).toBe('certificate.create');
    await table.deleteTable();
  });
});

describe('queue event publisher', () => {
  it('creates the events queue again when it was deleted after first use', async () => {
    const queueName = `events-${suffix()}`;
    const queue = QueueServiceClient.fromConnectionString(storage.connectionString, { retryOptions: { maxTries: 1 } }).getQueueClient(queueName);
    const outbox = new TableOutbox(tableFor(`outbox${suffix()}`));
    const publisher = new ReliableEventPublisher(new QueueEventPublisher(queue), outbox, { retryDelaysMs: [0] });

    await publisher.publish({ type: 'SecretRotated', name: 'first', version: 'v2' });
    await queue.delete();
    await publisher.publish({ type: 'SecretRotated', name: 'second', version: 'v2' });

    expect((await received(queueName)).map((e) => e.name)).toEqual(['second']);
    expect(await outbox.list(10)).toEqual([]);
    await queue.delete();
  });
});
