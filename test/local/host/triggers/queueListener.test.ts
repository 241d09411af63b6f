import { afterEach, describe, expect, inject, it } from 'vitest';
import type { HostJson, TriggerListener } from '../../../../local/host/contracts.js';
import { QueueTriggerListener, type QueueListenerTimings } from '../../../../local/host/queue/listener.js';
import { base64, createHarness, gate, messageCount, queueFunction, queueService, sleep, uniqueQueueName, waitFor, type Harness } from './harness.js';

const { connectionString } = inject('storage');
const service = queueService(connectionString);
const started: TriggerListener[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((listener) => listener.stop()));
});

type Queues = NonNullable<NonNullable<HostJson['extensions']>['queues']>;

async function startListener(queues: Queues = {}, timings: QueueListenerTimings = {}, name = uniqueQueueName('q'), prepare: (harness: Harness) => void = () => undefined) {
  const harness = createHarness({ connectionString, hostJson: { queues: { maxPollingInterval: '00:00:01', ...queues } } });
  prepare(harness);
  const queue = service.getQueueClient(name);
  await queue.createIfNotExists();
  const listener = new QueueTriggerListener(queueFunction('worker', name), harness.ctx, timings);
  harness.listeners.push(listener);
  started.push(listener);
  await listener.start();
  return { harness, queue, listener, name };
}

const warnings = (harness: Harness) => harness.logs.filter((l) => l.level === 'warning').map((l) => l.message);

describe('queue trigger listener', () => {
  it('invokes with the decoded text and full metadata, then deletes the message', async () => {
    const { harness, queue, name } = await startListener();
    const sent = await queue.sendMessage(base64('{"job":1}'));

    await waitFor(() => harness.requests.length === 1, 'the invocation');
    const [request] = harness.requests;
    expect(request!.functionName).toBe('worker');
    expect(request!.reason).toBe(`New queue message detected on '${name}'.`);
    expect(request!.inputData).toEqual([{ name: 'queueItem', data: { string: '{"job":1}' } }]);
    const metadata = request!.triggerMetadata!;
    expect(metadata['Id']).toEqual({ string: sent.messageId });
    expect(metadata['PopReceipt']?.string).toMatch(/.+/);
    expect(metadata['QueueTrigger']).toEqual({ string: '{"job":1}' });
    expect(metadata['DequeueCount']).toEqual({ json: '1' });
    for (const key of ['InsertionTime', 'ExpirationTime', 'NextVisibleTime']) {
      expect(JSON.parse(metadata[key]!.json!)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/);
    }
    expect(JSON.parse(metadata['InsertionTime']!.json!)).toBe(sent.insertedOn.toISOString().replace('.000Z', '+00:00'));
    const sys = JSON.parse(metadata['sys']!.json!) as Record<string, string>;
    expect(sys['MethodName']).toBe('worker');
    expect(sys['RandGuid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(sys['UtcNow']!)).not.toBeNaN();

    await waitFor(async () => (await messageCount(service, name)) === 0, 'the message to be deleted');
  });

  it('makes a failed message visible again after visibilityTimeout, with a higher dequeue count', async () => {
    const { harness, queue, name } = await startListener({ visibilityTimeout: '00:00:02' });
    const failedAt: number[] = [];
    harness.handler = (request) => {
      if (request.triggerMetadata?.['DequeueCount']?.json === '1') {
        failedAt.push(Date.now());
        return false;
      }
      return true;
    };
    await queue.sendMessage(base64('retry me'));

    await waitFor(() => harness.requests.length === 2, 'the second delivery');
    const counts = harness.requests.map((r) => r.triggerMetadata?.['DequeueCount']?.json);
    expect(counts).toEqual(['1', '2']);
    const secondAt = Date.now();
    expect(secondAt - failedAt[0]!).toBeGreaterThanOrEqual(1_500);
    await waitFor(async () => (await messageCount(service, name)) === 0, 'the message to be deleted');
  });

  it('moves a message to <queue>-poison after maxDequeueCount failures', async () => {
    const { harness, queue, name } = await startListener({ maxDequeueCount: 2 });
    harness.handler = () => false;
    await queue.sendMessage(base64('always fails'));

    const poison = service.getQueueClient(`${name}-poison`);
    const poisoned = await waitFor(async () => {
      if (!(await poison.exists())) return undefined;
      const { peekedMessageItems } = await poison.peekMessages();
      return peekedMessageItems[0];
    }, 'the poison message');
    expect(poisoned.messageText).toBe(base64('always fails'));
    expect(harness.requests).toHaveLength(2);
    expect(warnings(harness)).toContain(`Message has reached MaxDequeueCount of 2. Moving message to queue '${name}-poison'.`);
    expect(await messageCount(service, name)).toBe(0);
  });

  it('poisons a message whose dequeue count already exceeds maxDequeueCount without invoking', async () => {
    const name = uniqueQueueName('over');
    const queue = service.getQueueClient(name);
    await queue.create();
    await queue.sendMessage(base64('seen too often'));
    for (let i = 0; i < 3; i++) {
      const [message] = (await queue.receiveMessages({ visibilityTimeout: 30 })).receivedMessageItems;
      await queue.updateMessage(message!.messageId, message!.popReceipt, undefined, 0);
    }
    const { harness } = await startListener({ maxDequeueCount: 2 }, {}, name);

    await waitFor(async () => (await service.getQueueClient(`${name}-poison`).exists()) && (await messageCount(service, `${name}-poison`)) === 1, 'the poison message');
    expect(harness.requests).toHaveLength(0);
    expect(await messageCount(service, name)).toBe(0);
  });

  it('poisons a message that is not valid base64 at once, without invoking', async () => {
    const { harness, queue, name } = await startListener();
    const sent = await queue.sendMessage('not base64 at all!');

    await waitFor(async () => (await service.getQueueClient(`${name}-poison`).exists()) && (await messageCount(service, `${name}-poison`)) === 1, 'the poison message');
    const { peekedMessageItems } = await service.getQueueClient(`${name}-poison`).peekMessages();
    expect(peekedMessageItems[0]?.messageText).toBe('not base64 at all!');
    expect(harness.requests).toHaveLength(0);
    expect(warnings(harness)).toContain(`Message decoding has failed! Check MessageEncoding settings. MessageId=${sent.messageId}.`);
    await waitFor(async () => (await messageCount(service, name)) === 0, 'the original to be deleted');
  });

  it('leaves a failing message of a -poison queue invisible instead of poisoning it again', async () => {
    const name = `${uniqueQueueName('p')}-poison`;
    const { harness, queue } = await startListener({ maxDequeueCount: 1 }, {}, name);
    harness.handler = () => false;
    await queue.sendMessage(base64('still failing'));
    await waitFor(() => harness.requests.length === 1, 'the invocation');
    await sleep(1_500);
    expect(harness.requests).toHaveLength(1);
    expect(await messageCount(service, name)).toBe(1);
    expect(await service.getQueueClient(`${name}-poison`).exists()).toBe(false);
  });

  it('passes text through with messageEncoding none', async () => {
    const { harness, queue } = await startListener({ messageEncoding: 'none' });
    await queue.sendMessage('plain text, not base64!');
    await waitFor(() => harness.requests.length === 1, 'the invocation');
    expect(harness.requests[0]!.inputData[0]!.data).toEqual({ string: 'plain text, not base64!' });
  });

  it('waits for a missing queue without creating it', async () => {
    const name = uniqueQueueName('later');
    const harness = createHarness({ connectionString, hostJson: { queues: { maxPollingInterval: '00:00:00.500' } } });
    const listener = new QueueTriggerListener(queueFunction('worker', name), harness.ctx);
    started.push(listener);
    await listener.start();
    await sleep(1_500);
    expect(await service.getQueueClient(name).exists()).toBe(false);

    await service.getQueueClient(name).create();
    await service.getQueueClient(name).sendMessage(base64('finally'));
    await waitFor(() => harness.requests.length === 1, 'the invocation');
  });

  it('polls at once when this host writes to the queue, whatever the back-off', async () => {
    const longSleep = { next: () => 60_000, reset: () => undefined };
    const { harness, name, listener } = await startListener({}, { backoff: longSleep });
    await sleep(500);
    await service.getQueueClient(name).sendMessage(base64('wake up'));
    listener.onQueueWrite(name.toUpperCase());
    await waitFor(() => harness.requests.length === 1, 'the woken invocation', 15_000);
  });

  it('backs off on empty polls and resets after a message', async () => {
    const calls: string[] = [];
    const recording = {
      next: () => {
        calls.push('next');
        return 100;
      },
      reset: () => calls.push('reset'),
    };
    const { harness, queue } = await startListener({}, { backoff: recording });
    await waitFor(() => calls.filter((c) => c === 'next').length >= 3, 'empty polls');
    await queue.sendMessage(base64('x'));
    await waitFor(() => harness.requests.length === 1, 'the invocation');
    await waitFor(() => calls.includes('reset'), 'the reset');
  });

  it('runs a batch concurrently and fetches again only once in-flight work drops to newBatchThreshold', async () => {
    const name = uniqueQueueName('batch');
    const queue = service.getQueueClient(name);
    await queue.create();
    for (let i = 0; i < 6; i++) await queue.sendMessage(base64(`m${i}`));
    const gates: ReturnType<typeof gate<boolean>>[] = [];
    const { harness } = await startListener({ batchSize: 3, newBatchThreshold: 1 }, { stopTimeoutMs: 2_000 }, name, (h) => {
      h.handler = () => {
        const g = gate<boolean>();
        gates.push(g);
        return g.promise;
      };
    });
    try {
      await waitFor(() => harness.requests.length === 3, 'a full batch in flight');
      gates[0]!.open(true);
      await sleep(1_500);
      expect(harness.requests).toHaveLength(3);
      gates[1]!.open(true);
      await waitFor(() => harness.requests.length === 6, 'the next batch');
    } finally {
      gates.forEach((g) => g.open(true));
    }
  });

  it('keeps a long-running message invisible, renewing with the newest pop receipt, and deletes it', async () => {
    // Runs almost twice as long as the visibility: without renewal it would be delivered again
    // mid-run; with a stale pop receipt the delete would fail and it would come back afterwards.
    const { harness, queue, name } = await startListener({}, { visibilityMs: 4_000, renewIntervalMs: 1_000 });
    harness.handler = () => sleep(7_000).then(() => true);
    await queue.sendMessage(base64('slow'));

    await waitFor(() => harness.requests.length === 1, 'the invocation');
    await waitFor(async () => (await messageCount(service, name)) === 0, 'the message to be deleted', 30_000);
    await sleep(5_000);
    expect(harness.requests).toHaveLength(1);
  });

  it('stop() waits for running invocations and takes no new messages', async () => {
    const { harness, queue, listener, name } = await startListener();
    const events: string[] = [];
    harness.handler = () =>
      sleep(1_500).then(() => {
        events.push('finished');
        return true;
      });
    await queue.sendMessage(base64('first'));
    await waitFor(() => harness.requests.length === 1, 'the invocation');
    await listener.stop();
    events.push('stopped');
    expect(events).toEqual(['finished', 'stopped']);

    await queue.sendMessage(base64('after stop'));
    await sleep(1_500);
    expect(harness.requests).toHaveLength(1);
    expect(await messageCount(service, name)).toBe(1);
  });

  it('stop() gives up waiting after its bound and leaves unfinished messages on the queue', async () => {
    const { harness, queue, listener, name } = await startListener({}, { stopTimeoutMs: 300 });
    const release = gate<boolean>();
    harness.handler = () => release.promise;
    await queue.sendMessage(base64('never finishes in time'));
    await waitFor(() => harness.requests.length === 1, 'the invocation');
    await listener.stop();
    expect(await messageCount(service, name)).toBe(1);
    expect(warnings(harness).some((w) => w.includes('still running'))).toBe(true);
    release.open(false);
  });

  it('invokes from the admin API with the text verbatim and dequeue count 0', async () => {
    const { harness, listener, name } = await startListener();
    const result = await listener.invokeFromAdmin('raw {"x":1}');
    expect(result.succeeded).toBe(true);
    const [request] = harness.requests;
    expect(request!.reason).toBe('This function was programmatically called via the host APIs.');
    expect(request!.inputData).toEqual([{ name: 'queueItem', data: { string: 'raw {"x":1}' } }]);
    expect(request!.triggerMetadata?.['DequeueCount']).toEqual({ json: '0' });
    expect(request!.triggerMetadata?.['QueueTrigger']).toEqual({ string: 'raw {"x":1}' });
    expect(request!.triggerMetadata).not.toHaveProperty('Id');
    expect(request!.triggerMetadata).not.toHaveProperty('PopReceipt');
    expect(await messageCount(service, name)).toBe(0);
    expect(await service.getQueueClient(`${name}-poison`).exists()).toBe(false);
  });

  it('keeps fetching while an admin invocation runs', async () => {
    const { harness, queue, listener } = await startListener({ batchSize: 1, newBatchThreshold: 0 }, { stopTimeoutMs: 2_000 });
    const adminGate = gate<boolean>();
    harness.handler = (request) => (request.triggerMetadata?.['Id'] ? true : adminGate.promise);
    const admin = listener.invokeFromAdmin('slow admin call');
    try {
      await queue.sendMessage(base64('regular 1'));
      await queue.sendMessage(base64('regular 2'));
      await waitFor(() => harness.requests.length === 3, 'both queue messages despite the running admin call');
    } finally {
      adminGate.open(true);
      await admin;
    }
  });

  it('fails to start naming the missing connection setting', () => {
    const harness = createHarness({});
    expect(() => new QueueTriggerListener(queueFunction('worker', 'jobs'), harness.ctx)).toThrow(/AzureWebJobsStorage/);
  });
});
