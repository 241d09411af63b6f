import { RestError } from '@azure/core-rest-pipeline';
import type { QueueClient } from '@azure/storage-queue';
import { onceUntilFailure } from './once.js';
import type { Outbox } from './outbox.js';
import { abortableDelay } from './delay.js';

export type VaultEventType = 'SecretRotated' | 'SecretNearExpiry' | 'CertificateRenewed' | 'CertificateNearExpiry' | 'OperationFailed';

/** An event on the `vault-events` queue: names and versions, never a value. */
export interface VaultEvent {
  type: VaultEventType;
  name: string;
  /** The vault's alias when it is not the default vault (KEYVAULTS). */
  vault?: string;
  version?: string;
  time: string;
  reason?: string;
}

export interface EventPublisher {
  publish(event: Omit<VaultEvent, 'time'>): Promise<void>;
}

/** Sends one complete event (its time already set), once; throws if it was not accepted. */
export interface EventSender {
  send(event: VaultEvent): Promise<void>;
}

/** The event's own fields and nothing else, whatever object it came in. */
export function eventFields(event: VaultEvent): VaultEvent {
  const { type, name, vault, version, time, reason } = event;
  return { type, name, ...(vault !== undefined ? { vault } : {}), ...(version !== undefined ? { version } : {}), time, ...(reason !== undefined ? { reason } : {}) };
}

/** Publishes JSON events, base64-encoded like every message the Functions host reads. */
export class QueueEventPublisher implements EventPublisher, EventSender {
  private ensureQueue: () => Promise<void>;

  constructor(
    private readonly queue: QueueClient,
    private readonly sendTimeoutMs = 10_000,
  ) {
    this.ensureQueue = this.creation();
  }

  async publish(event: Omit<VaultEvent, 'time'>): Promise<void> {
    await this.send({ ...event, time: new Date().toISOString() });
  }

  async send(event: VaultEvent): Promise<void> {
    await this.ensureQueue();
    try {
      await this.queue.sendMessage(Buffer.from(JSON.stringify(eventFields(event))).toString('base64'), { abortSignal: AbortSignal.timeout(this.sendTimeoutMs) });
    } catch (error) {
      // The queue was deleted since it was created here: create it again on the next try.
      if (error instanceof RestError && error.statusCode === 404) this.ensureQueue = this.creation();
      throw error;
    }
  }

  private creation(): () => Promise<void> {
    return onceUntilFailure(() => this.queue.createIfNotExists({ abortSignal: AbortSignal.timeout(this.sendTimeoutMs) }));
  }
}

export interface ReliablePublisherOptions {
  /** Waits between tries of one publish; one more try than there are delays (default 0.2, 1 and 3 s). */
  retryDelaysMs?: readonly number[];
  /**
   * After an event had to be kept, later publishes within this time try the queue once, without
   * back-off (default 30 s): a run publishing many events does not wait out every retry.
   */
  failingForMs?: number;
  /** Most kept events one drain sends (default 500); the rest wait for the next. */
  drainLimit?: number;
  now?: () => Date;
}

export interface DrainSummary {
  /** Kept events sent and removed from the outbox. */
  published: number;
  /** Kept events looked at and left in the outbox (the queue failed again). */
  kept: number;
}

/**
 * Never loses an event: a send is tried a few times with short back-off, and an event the queue
 * still refuses is kept in the outbox with its original time, to be sent by `drainOutbox`.
 * `publish` throws only when the event could be neither sent nor kept.
 */
export class ReliableEventPublisher implements EventPublisher {
  private readonly retryDelaysMs: readonly number[];
  private failingUntil = 0;

  constructor(
    private readonly sender: EventSender,
    private readonly outbox: Outbox,
    private readonly options: ReliablePublisherOptions = {},
  ) {
    this.retryDelaysMs = options.retryDelaysMs ?? [200, 1_000, 3_000];
  }

  async publish(event: Omit<VaultEvent, 'time'>): Promise<void> {
    const complete = eventFields({ ...event, time: (this.options.now?.() ?? new Date()).toISOString() });
    const retries = Date.now() < this.failingUntil ? 0 : this.retryDelaysMs.length;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.sender.send(complete);
        this.failingUntil = 0;
        return;
      } catch {
        if (attempt >= retries) break;
      }
      await abortableDelay(this.retryDelaysMs[attempt]!);
    }
    this.failingUntil = Date.now() + (this.options.failingForMs ?? 30_000);
    try {
      await this.outbox.add(complete);
    } catch (error) {
      throw new Error(`the ${complete.type} event for '${complete.name}' could be neither published nor kept in the outbox`, { cause: error });
    }
  }

  /**
   * Sends kept events, oldest first, removing each once the queue has it. Stops at the first
   * refusal (the queue is still failing; the rest stay for the next drain). Delivery is at least
   * once: an event sent but not removed is sent again. Only one drain should run at a time (the
   * rotation run calls it under its lease).
   */
  async drainOutbox(): Promise<DrainSummary> {
    const rows = await this.outbox.list(this.options.drainLimit ?? 500);
    let published = 0;
    for (const row of rows) {
      try {
        await this.sender.send(row.event);
      } catch {
        break;
      }
      published++;
      await this.outbox.remove(row.id);
    }
    return { published, kept: rows.length - published };
  }
}
