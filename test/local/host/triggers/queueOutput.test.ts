import { describe, expect, inject, it } from 'vitest';
import type { FunctionInfo, InvocationResult } from '../../../../local/host/contracts.js';
import { writeOutputBindings } from '../../../../local/host/bindings/output.js';
import { QueueTriggerListener } from '../../../../local/host/queue/listener.js';
import { createHarness, queueService, sleep, uniqueQueueName, waitFor } from './harness.js';

const { connectionString } = inject('storage');
const service = queueService(connectionString);

function producer(returnQueue: string, extraQueue: string): FunctionInfo {
  const trigger = { type: 'httpTrigger', direction: 'in' as const };
  return {
    name: 'producer',
    triggerKey: 'req',
    trigger,
    bindings: {
      req: trigger,
      $return: { type: 'queue', direction: 'out', name: 'queueOutputabc', queueName: returnQueue, connection: '' },
      queueOutput30b4eef155: { type: 'queue', direction: 'out', queueName: extraQueue, connection: 'Jobs' },
    },
  };
}

const succeeded = (parts: Partial<InvocationResult>): InvocationResult => ({ invocationId: 'i', succeeded: true, outputData: [], ...parts });

async function drain(queueName: string): Promise<string[]> {
  const queue = service.getQueueClient(queueName);
  const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
  return receivedMessageItems.map((m) => m.messageText);
}

describe('queue output binding', () => {
  it('writes the return value and extraOutputs, creating the queues, base64-encoded, and notifies', async () => {
    const returnQueue = uniqueQueueName('ret');
    const extraQueue = uniqueQueueName('extra');
    const harness = createHarness({ connectionString, settings: { AzureWebJobsJobs: connectionString } });
    const notified: string[] = [];
    harness.ctx.notifyQueueWrite = (queue) => notified.push(queue);

    await writeOutputBindings(
      producer(returnQueue, extraQueue),
      succeeded({
        returnValue: { json: '{"id":1}' },
        outputData: [{ name: 'queueOutput30b4eef155', data: { json: '["a",{"b":2},3]' } }],
      }),
      harness.ctx,
    );

    expect((await drain(returnQueue)).map((t) => Buffer.from(t, 'base64').toString())).toEqual(['{"id":1}']);
    expect((await drain(extraQueue)).map((t) => Buffer.from(t, 'base64').toString())).toEqual(['a', '{"b":2}', '3']);
    expect(notified.sort()).toEqual([extraQueue, returnQueue].sort());
  });

  it('writes raw text with messageEncoding none and resolves %SETTING% in queueName', async () => {
    const queueName = uniqueQueueName('plain');
    const harness = createHarness({ connectionString, hostJson: { queues: { messageEncoding: 'none' } }, settings: { OUT_QUEUE: queueName } });
    const fn = producer('%OUT_QUEUE%', 'unused-queue');
    await writeOutputBindings(fn, succeeded({ returnValue: { string: 'hello' } }), harness.ctx);
    await writeOutputBindings(fn, succeeded({ returnValue: { int: 42 } }), harness.ctx);
    await writeOutputBindings(fn, succeeded({ returnValue: { bytes: Buffer.from('raw bytes') } }), harness.ctx);
    expect(await drain(queueName)).toEqual(['hello', '42', 'raw bytes']);
  });

  it('ignores the return value without a $return queue binding', async () => {
    const harness = createHarness({ connectionString });
    const trigger = { type: 'queueTrigger', direction: 'in' as const, queueName: 'x-in' };
    const fn: FunctionInfo = { name: 'noReturn', triggerKey: 't', trigger, bindings: { t: trigger } };
    await expect(writeOutputBindings(fn, succeeded({ returnValue: { string: 'dropped' } }), harness.ctx)).resolves.toBeUndefined();
  });

  it('refuses output binding types it does not support, naming the type', async () => {
    const harness = createHarness({ connectionString });
    const trigger = { type: 'httpTrigger', direction: 'in' as const };
    const fn: FunctionInfo = {
      name: 'blobWriter',
      triggerKey: 'req',
      trigger,
      bindings: { req: trigger, blobOut: { type: 'blob', direction: 'out', path: 'c/b' } },
    };
    await expect(writeOutputBindings(fn, succeeded({ outputData: [{ name: 'blobOut', data: { string: 'x' } }] }), harness.ctx)).rejects.toThrow(/'blob'/);
  });

  it('wakes a listener on the queue it wrote to', async () => {
    const queueName = uniqueQueueName('woken');
    await service.getQueueClient(queueName).create();
    const harness = createHarness({ connectionString });
    const listener = new QueueTriggerListener(
      { name: 'consumer', triggerKey: 'm', trigger: { type: 'queueTrigger', direction: 'in', queueName }, bindings: {} },
      harness.ctx,
      { backoff: { next: () => 60_000, reset: () => undefined } },
    );
    harness.listeners.push(listener);
    await listener.start();
    try {
      await sleep(500);
      await writeOutputBindings(producer(queueName, 'unused-queue'), succeeded({ returnValue: { string: 'ping' } }), harness.ctx);
      await waitFor(() => harness.requests.length === 1, 'the woken invocation', 15_000);
      expect(harness.requests[0]?.inputData[0]?.data).toEqual({ string: 'ping' });
    } finally {
      await listener.stop();
    }
  });
});
