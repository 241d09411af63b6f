// Writes a queue output binding's messages (reference §8.4) and wakes this host's listener on it.
import type { QueueClient } from '@azure/storage-queue';
import type { BindingInfo, HostContext, TypedData } from '../contracts.js';
import { encodeMessage } from '../queue/messageEncoding.js';
import { readQueueOptions } from '../queue/options.js';
import { resolveQueueName } from '../queue/queueName.js';
import { queueServiceClientFor } from '../storage/connection.js';
import { queueMessagesFrom } from './queueMessages.js';

export type OutputContext = Pick<HostContext, 'settings' | 'hostJson' | 'notifyQueueWrite' | 'logger'>;

const knownQueues = new WeakSet<QueueClient>();

export async function writeQueueOutput(
  functionName: string,
  binding: BindingInfo,
  data: TypedData,
  ctx: OutputContext,
): Promise<void> {
  const messages = queueMessagesFrom(data);
  if (messages.length === 0) return;
  const { messageEncoding } = readQueueOptions(ctx.hostJson);
  const queueName = resolveQueueName(binding['queueName'], ctx.settings, functionName);
  const service = queueServiceClientFor(binding['connection'] as string | undefined, ctx.settings);
  const queue = service.getQueueClient(queueName);
  if (!knownQueues.has(queue)) {
    await queue.createIfNotExists();
    knownQueues.add(queue);
  }
  for (const message of messages) {
    const text = encodeMessage(message, messageEncoding);
    try {
      await queue.sendMessage(text);
    } catch (error) {
      // The queue was deleted since we last saw it.
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      await queue.createIfNotExists();
      await queue.sendMessage(text);
    }
  }
  ctx.notifyQueueWrite(queueName);
}
