// Driving the rotation timer of an isolated app and observing it by state only: the record each
// run writes at its end, the events it publishes and the blob lease a run holds while it works.
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { rotationLeaseName } from '../../src/rotation/run.js';
import type { RunRecord } from '../../src/rotation/runRecord.js';
import type { IsolatedApp } from './isolatedApp.js';

export interface VaultEvent {
  type: string;
  name: string;
  vault?: string;
  version?: string;
  time: string;
  reason?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it is truthy; fails naming `what` after `timeoutMs` (generous: this is no
 * statement about speed, only a bound on a test that would otherwise hang). */
export async function until<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 120_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Gave up after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

export class RotationTimer {
  /** Every event taken off the app's events queue so far, in order. */
  readonly events: VaultEvent[] = [];
  private readonly queue: QueueClient;

  constructor(private readonly app: IsolatedApp) {
    this.queue = QueueServiceClient.fromConnectionString(app.storageConnectionString).getQueueClient(app.eventsQueue);
  }

  /** Invokes the timer function through the host's admin API, as Azure's portal does. */
  async invoke(): Promise<void> {
    const response = await fetch(`${this.app.host.baseUrl}/admin/functions/rotation`, {
      method: 'POST',
      headers: { 'x-functions-key': this.app.host.masterKey, 'content-type': 'application/json' },
      body: JSON.stringify({ input: '' }),
    });
    if (response.status !== 202) throw new Error(`admin invocation of the rotation timer: HTTP ${response.status}`);
  }

  /** Takes every message off the events queue into `events`; returns them all. */
  async drain(): Promise<VaultEvent[]> {
    if (!(await this.queue.exists())) return this.events;
    for (;;) {
      const { receivedMessageItems: batch } = await this.queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
      if (batch.length === 0) return this.events;
      for (const message of batch) {
        this.events.push(JSON.parse(Buffer.from(message.messageText, 'base64').toString('utf8')) as VaultEvent);
        await this.queue.deleteMessage(message.messageId, message.popReceipt);
      }
    }
  }

  /** The raw text of every event so far (for checks that no value ever reaches them). */
  text(): string {
    return this.events.map((event) => JSON.stringify(event)).join('\n');
  }

  count(type: string, name: string): number {
    return this.events.filter((event) => event.type === type && event.name === name).length;
  }

  /** Whether a run holds the rotation lease (a blob lease in the app's storage account). */
  async leaseHeld(): Promise<boolean> {
    const blob = BlobServiceClient.fromConnectionString(this.app.storageConnectionString)
      .getContainerClient('run-leases')
      .getBlobClient(rotationLeaseName(this.app.emulator.vaultUrl));
    if (!(await blob.exists())) return false;
    return (await blob.getProperties()).leaseState === 'leased';
  }

  /** The record of the last run that held the lease and worked (written by the timer at its end); `vault`: another vault's. */
  async lastRun(vault?: string): Promise<RunRecord | undefined> {
    const table = TableClient.fromConnectionString(this.app.storageConnectionString, this.app.operationsTable, { allowInsecureConnection: true });
    try {
      return await table.getEntity<RunRecord>('rotation-run', vault ? `latest-ran:${vault}` : 'latest-ran');
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  /**
   * Invokes the timer (`times` at once) and waits until a run that held the lease has recorded
   * its end. Returns that run's record; the events stay on the queue.
   */
  async invokeAndWait(what = 'a rotation run to finish', times = 1): Promise<RunRecord> {
    const before = (await this.lastRun())?.runId;
    await Promise.all(Array.from({ length: times }, () => this.invoke()));
    return until(async () => {
      const last = await this.lastRun();
      return last && last.runId !== before ? last : undefined;
    }, what);
  }

  /** As `invokeAndWait`, then takes the events the run published into `events`. */
  async run(what?: string, times?: number): Promise<RunRecord> {
    const record = await this.invokeAndWait(what, times);
    await this.drain();
    return record;
  }
}
