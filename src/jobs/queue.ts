import type { QueueClient } from '@azure/storage-queue';
import { onceUntilFailure } from '../platform/once.js';
import type { JobMessage } from './message.js';

/** Longest delay Azure Storage allows before a message becomes visible: 7 days. */
const MAX_DELAY_SECONDS = 7 * 24 * 3600;

/**
 * Sends job messages. The Functions host decodes queue messages as base64 by default
 * (host.json messageEncoding), and the storage SDK sends text as is, so the JSON is encoded here.
 */
export class JobQueue {
  private readonly ensureQueue: () => Promise<void>;

  constructor(private readonly queue: QueueClient) {
    this.ensureQueue = onceUntilFailure(() => queue.createIfNotExists());
  }

  async enqueue(message: JobMessage, delaySeconds = 0): Promise<void> {
    await this.ensureQueue();
    const text = Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
    await this.queue.sendMessage(text, { visibilityTimeout: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds))) });
  }
}
