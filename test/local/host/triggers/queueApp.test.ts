// End to end: the queue fixture app under the real local host and Azurite.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminInvoke, QUEUE_APP, startAppHost, type AppHost } from './appHost.js';
import { base64, messageCount, queueService, uniqueQueueName, waitFor } from './harness.js';

const { connectionString } = inject('storage');
const service = queueService(connectionString);
const queues = {
  WORK_QUEUE: uniqueQueueName('work'),
  FORWARD_IN: uniqueQueueName('fwd-in'),
  FORWARD_OUT: uniqueQueueName('fwd-out'),
  FORWARD_EXTRA: uniqueQueueName('fwd-extra'),
};
let host: AppHost;

interface WorkerRecord {
  item: unknown;
  triggerMetadata: Record<string, unknown> & { dequeueCount: number };
}
const workerRecords = (id: string) => host.records<WorkerRecord>('worker').filter((r) => (r.item as { id?: string } | null)?.id === id);
const send = (queue: string, body: unknown) => service.getQueueClient(queue).sendMessage(base64(JSON.stringify(body)));
const decode = (text: string) => Buffer.from(text, 'base64').toString('utf8');

async function receiveAll(queue: string, expected: number): Promise<string[]> {
  const texts: string[] = [];
  await waitFor(async () => {
    if (!(await service.getQueueClient(queue).exists())) return false;
    const { receivedMessageItems } = await service.getQueueClient(queue).receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
    texts.push(...receivedMessageItems.map((m) => decode(m.messageText)));
    return texts.length >= expected;
  }, `${expected} messages on ${queue}`);
  return texts;
}

beforeAll(async () => {
  await service.getQueueClient(queues.WORK_QUEUE).create();
  await service.getQueueClient(queues.FORWARD_IN).create();
  host = await startAppHost(QUEUE_APP, { AzureWebJobsStorage: connectionString, ...queues });
});

afterAll(async () => {
  await host?.stop();
});

describe('queue trigger under the local host', () => {
  it('runs the function with the parsed JSON body and full metadata, then deletes the message', async () => {
    const sent = await send(queues.WORK_QUEUE, { id: 'ok', payload: [1, 2] });
    await waitFor(() => workerRecords('ok').length === 1, 'the invocation');
    const [record] = workerRecords('ok');
    expect(record!.item).toEqual({ id: 'ok', payload: [1, 2] });
    const metadata = record!.triggerMetadata;
    expect(metadata['id']).toBe(sent.messageId);
    expect(metadata['dequeueCount']).toBe(1);
    expect(typeof metadata['popReceipt']).toBe('string');
    expect(metadata['queueTrigger']).toEqual({ id: 'ok', payload: [1, 2] });
    for (const key of ['insertionTime', 'expirationTime', 'nextVisibleTime']) {
      expect(metadata[key]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/);
    }
    expect(metadata['sys']).toMatchObject({ methodName: 'worker' });
    await waitFor(async () => (await messageCount(service, queues.WORK_QUEUE)) === 0, 'the message to be deleted');
    expect(host.lines.some((l) => l.includes(`Executing 'Functions.worker' (Reason='New queue message detected on '${queues.WORK_QUEUE}'.'`))).toBe(true);
  });

  it('retries a failing message after visibilityTimeout with a rising dequeue count, then succeeds', async () => {
    await send(queues.WORK_QUEUE, { id: 'retry', failUntil: 2 });
    await waitFor(() => workerRecords('retry').length === 2, 'the retry', 30_000);
    expect(workerRecords('retry').map((r) => r.triggerMetadata.dequeueCount)).toEqual([1, 2]);
    await waitFor(async () => (await messageCount(service, queues.WORK_QUEUE)) === 0, 'the message to be deleted');
  });

  it('moves a message that keeps failing to the poison queue after maxDequeueCount', async () => {
    await send(queues.WORK_QUEUE, { id: 'poison', fail: true });
    const poisonQueue = `${queues.WORK_QUEUE}-poison`;
    await waitFor(
      async () => {
        if (!(await service.getQueueClient(poisonQueue).exists())) return false;
        const { peekedMessageItems } = await service.getQueueClient(poisonQueue).peekMessages({ numberOfMessages: 32 });
        return peekedMessageItems.some((m) => decode(m.messageText) === JSON.stringify({ id: 'poison', fail: true }));
      },
      'the poison message',
      45_000,
    );
    expect(workerRecords('poison').map((r) => r.triggerMetadata.dequeueCount)).toEqual([1, 2, 3]);
    expect(host.lines.some((l) => l.includes(`Message has reached MaxDequeueCount of 3. Moving message to queue '${poisonQueue}'.`))).toBe(true);
  });

  it('sends a message that is not base64 to the poison queue without running the function', async () => {
    const raw = 'plain text, not base64!';
    const sent = await service.getQueueClient(queues.WORK_QUEUE).sendMessage(raw);
    const poisonQueue = `${queues.WORK_QUEUE}-poison`;
    await waitFor(async () => {
      if (!(await service.getQueueClient(poisonQueue).exists())) return false;
      const { peekedMessageItems } = await service.getQueueClient(poisonQueue).peekMessages({ numberOfMessages: 32 });
      return peekedMessageItems.some((m) => m.messageText === raw);
    }, 'the poison message');
    expect(host.lines.some((l) => l.includes(`Message decoding has failed! Check MessageEncoding settings. MessageId=${sent.messageId}.`))).toBe(true);
    expect(host.records<WorkerRecord>('worker').some((r) => r.item === raw)).toBe(false);
  });

  it('writes the return value and extraOutputs of a queue function to their queues', async () => {
    await send(queues.FORWARD_IN, { n: 7 });
    expect(await receiveAll(queues.FORWARD_OUT, 1)).toEqual([JSON.stringify({ forwarded: 7 })]);
    expect((await receiveAll(queues.FORWARD_EXTRA, 2)).sort()).toEqual(['7-a', '7-b']);
  });

  it('writes an HTTP function’s queue output, which the queue function then processes', async () => {
    const response = await fetch(`${host.baseUrl}/api/enqueue`, { method: 'POST', body: JSON.stringify({ id: 'from-http' }) });
    expect(response.status).toBe(202);
    await waitFor(() => workerRecords('from-http').length === 1, 'the queued invocation');
  });

  it('invokes a queue function from the admin API with the text verbatim and dequeue count 0', async () => {
    expect(await adminInvoke(host, 'worker', JSON.stringify({ id: 'admin' }))).toBe(202);
    await waitFor(() => workerRecords('admin').length === 1, 'the admin invocation');
    const [record] = workerRecords('admin');
    expect(record!.triggerMetadata.dequeueCount).toBe(0);
    expect(record!.triggerMetadata['id']).toBeUndefined();
  });
});
