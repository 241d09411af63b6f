// Moving a message that failed too often (or cannot be decoded) to `<queue>-poison`.
import type { QueueServiceClient } from '@azure/storage-queue';
import type { HostLogger } from '../contracts.js';
import { poisonQueueName } from './queueName.js';

export interface PoisonTarget {
  service: QueueServiceClient;
  queueName: string;
  maxDequeueCount: number;
  logger: HostLogger;
  logCategory: string;
  notifyQueueWrite(queueName: string): void;
}

/**
 * Sends the raw message text to the poison queue (created if missing) and returns true, so that
 * the caller deletes the original. Returns false when there is no poison queue: the message then
 * stays invisible until its visibility lapses, as in Azure.
 */
export async function copyToPoisonQueue(target: PoisonTarget, messageText: string): Promise<boolean> {
  const poisonName = poisonQueueName(target.queueName);
  if (!poisonName) return false;
  target.logger.log('warning', target.logCategory, `Message has reached MaxDequeueCount of ${target.maxDequeueCount}. Moving message to queue '${poisonName}'.`);
  const poisonQueue = target.service.getQueueClient(poisonName);
  await poisonQueue.createIfNotExists();
  await poisonQueue.sendMessage(messageText);
  target.notifyQueueWrite(poisonName);
  return true;
}
