// Writes a queue output binding's messages and wakes this host's listener on it.
import type { QueueServiceClient } from '@azure/storage-queue';
import type { BindingInfo, HostContext, TypedData } from '../contracts.js';
import { encodeMessage } from '../queue/messageEncoding.js';
import { readQueueOptions } from '../queue/options.js';
import { resolveQueueName } from '../queue/queueName.js';
import { queueServiceClientFor } from '../storage/connection.js';
import { queueMessagesFrom } from './queueMessages.js';

export type OutputContext = Pick<HostContext, 'settings' | 'hostJson' | 'notifyQueueWrite' | 'logger'>;

// Queues this process has created or seen, per account client, to skip a create call per write.
const knownQueues = new WeakMap<QueueServiceClient, Set<string>>();

export async function writeQueueOutput(functionName: string, binding: BindingInfo, data: TypedData, ctx: OutputContext): Promise<void> {
  const messages = queueMessagesFrom(data);
  if (messages.length === 0) return;
  const { messageEncoding } = readQueueOptions(ctx.hostJson);
  const queueName = resolveQueueName(binding['queueName'], ctx.settings, functionName);
  const service = queueServiceClientFor(binding['connection'] as string | undefined, ctx.settings);
  const queue = service.getQueueClient(queueName);
  let known = knownQueues.get(service);
  if (!known) knownQueues.set(service, (known = new Set()));
  if (!known.has(queueName)) {
    await queue.createIfNotExists();
    known.add(queueName);
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
