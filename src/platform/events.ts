import type { QueueClient } from '@azure/storage-queue';
import { onceUntilFailure } from './once.js';

export type VaultEventType = 'SecretRotated' | 'SecretNearExpiry' | 'CertificateRenewed' | 'CertificateNearExpiry' | 'OperationFailed';

/** An event on the `vault-events` queue: names and versions, never a value. */
export interface VaultEvent {
  type: VaultEventType;
  name: string;
  version?: string;
  time: string;
  reason?: string;
}

export interface EventPublisher {
  publish(event: Omit<VaultEvent, 'time'>): Promise<void>;
}

/** Publishes JSON events, base64-encoded like every message the Functions host reads. */
export class QueueEventPublisher implements EventPublisher {
  private readonly ensureQueue: () => Promise<void>;

  constructor(private readonly queue: QueueClient) {
    this.ensureQueue = onceUntilFailure(() => queue.createIfNotExists());
  }

  async publish(event: Omit<VaultEvent, 'time'>): Promise<void> {
    await this.ensureQueue();
    const body: VaultEvent = { ...event, time: new Date().toISOString() };
    await this.queue.sendMessage(Buffer.from(JSON.stringify(body)).toString('base64'));
  }
}
