import { createHash, createHmac } from 'node:crypto';
import { RestError } from '@azure/core-rest-pipeline';
import { odata, type TableClient } from '@azure/data-tables';
import { onceUntilFailure } from './once.js';
import { problems } from './problems.js';

const keyReused = problems.idempotencyKeyReused;
const requestInProgress = problems.requestInProgress;

/** How long a completed key is remembered. */
export const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
/**
 * How long a claim keeps other requests with its key out. The work runs inside one invocation,
 * which the host ends (restarting the worker) after host.json's functionTimeout, 5 minutes; the
 * margin covers clock skew between instances. A claim whose request crashed blocks retries as long.
 */
export const CLAIM_LIFETIME_MS = (5 + 2) * 60 * 1000;
/** Idempotency rows share the table with other rows; theirs are the partitions `idempotency-…`. */
const PARTITION_PREFIX = 'idempotency-';
const PARTITION_END = 'idempotency.'; // the next string after every `idempotency-…`
const MAX_CLAIM_ATTEMPTS = 3;

export interface IdempotentOutcome {
  status: number;
  /** What the first request produced (e.g. the secret version); enough to answer a replay. */
  result: string;
}

export interface IdempotencyStore {
  /** Runs `work` once per (scope, key, request); a replay with the same request gets the first outcome. */
  run(scope: string, key: string, request: unknown, work: () => Promise<IdempotentOutcome>): Promise<IdempotentOutcome & { replayed: boolean }>;
}

export interface TableIdempotencyOptions {
  /** The HMAC key for row keys and request digests (see serverKeys.ts). */
  serverKey: () => Promise<Buffer>;
  now?: () => number;
}

interface IdempotencyRecord {
  partitionKey: string;
  rowKey: string;
  requestHash: string;
  state: 'pending' | 'done';
  status?: number;
  result?: string;
  expiresAt: Date;
}

type Stored = IdempotencyRecord & { etag: string };

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const hmac = (serverKey: Buffer, label: string, text: string) => createHmac('sha256', serverKey).update(`${label}\n${text}`).digest('hex');
const statusOf = (error: unknown) => (error instanceof RestError ? error.statusCode : undefined);

/**
 * Idempotency keys in Azure Table storage. A key is claimed with an insert (which only one
 * concurrent request can win), then completed with the outcome, both guarded by the claim's ETag.
 * The key and the request are stored only as HMACs under a server key that the vault keeps, so a
 * table reader can neither find a caller's key nor test guesses of a secret value.
 */
export class TableIdempotencyStore implements IdempotencyStore {
  private readonly ensureTable: () => Promise<void>;
  private readonly serverKey: () => Promise<Buffer>;
  private readonly now: () => number;

  constructor(
    private readonly table: TableClient,
    options: TableIdempotencyOptions,
  ) {
    this.serverKey = options.serverKey;
    this.now = options.now ?? Date.now;
    this.ensureTable = onceUntilFailure(() => table.createTable());
  }

  async run(scope: string, key: string, request: unknown, work: () => Promise<IdempotentOutcome>) {
    const [serverKey] = await Promise.all([this.serverKey(), this.ensureTable()]);
    const claim: IdempotencyRecord = {
      partitionKey: `${PARTITION_PREFIX}${sha256(scope).slice(0, 32)}`,
      rowKey: hmac(serverKey, 'idempotency-key', key),
      requestHash: hmac(serverKey, 'request', JSON.stringify(request)),
      state: 'pending',
      expiresAt: new Date(this.now() + CLAIM_LIFETIME_MS),
    };

    const claimed = await this.claim(claim);
    if ('replay' in claimed) return { ...claimed.replay, replayed: true };

    let outcome: IdempotentOutcome;
    try {
      outcome = await work();
    } catch (error) {
      await this.table.deleteEntity(claim.partitionKey, claim.rowKey, { etag: claimed.etag }).catch(() => undefined);
      throw error;
    }
    const done: IdempotencyRecord = { ...claim, state: 'done', status: outcome.status, result: outcome.result, expiresAt: new Date(this.now() + KEY_LIFETIME_MS) };
    try {
      await this.table.updateEntity(done, 'Replace', { etag: claimed.etag });
    } catch (error) {
      // Taken over (our claim outlived its lifetime) or removed as expired: the record is no longer
      // ours to write, but this request did the work and answers with its outcome.
      if (statusOf(error) !== 412 && statusOf(error) !== 404) throw error;
    }
    return { ...outcome, replayed: false };
  }

  /**
   * Deletes up to `limit` idempotency rows that have expired (ETag-guarded, so a row claimed again
   * meanwhile stays) and returns how many it deleted. Other rows in the table are not touched.
   */
  async removeExpired(limit = 1000): Promise<number> {
    await this.ensureTable();
    const now = this.now();
    // Rows written before `expiresAt` existed have `claimedAt` (an ISO string) and a row key that
    // is no longer looked up; they are removed once the old code would have let them expire.
    const filter = odata`PartitionKey ge ${PARTITION_PREFIX} and PartitionKey lt ${PARTITION_END} and (expiresAt lt ${new Date(now)} or claimedAt lt ${new Date(now - KEY_LIFETIME_MS).toISOString()})`;
    let removed = 0;
    for await (const row of this.table.listEntities({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } })) {
      if (removed >= limit) break;
      try {
        await this.table.deleteEntity(row.partitionKey!, row.rowKey!, { etag: row.etag });
        removed++;
      } catch (error) {
        if (statusOf(error) !== 412 && statusOf(error) !== 404) throw error;
      }
    }
    return removed;
  }

  /** Inserts the claim, or takes over an expired record; otherwise answers from the record. */
  private async claim(claim: IdempotencyRecord): Promise<{ etag: string } | { replay: IdempotentOutcome }> {
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      try {
        return { etag: (await this.table.createEntity(claim)).etag! };
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
      }
      const existing = await this.read(claim.partitionKey, claim.rowKey);
      if (!existing) continue;
      if (existing.expiresAt.getTime() > this.now()) {
        if (existing.requestHash !== claim.requestHash) throw keyReused();
        if (existing.state === 'done') return { replay: { status: existing.status!, result: existing.result! } };
        throw requestInProgress();
      }
      try {
        return { etag: (await this.table.updateEntity(claim, 'Replace', { etag: existing.etag })).etag! };
      } catch (error) {
        if (statusOf(error) === 412) throw requestInProgress();
        if (statusOf(error) !== 404) throw error;
      }
    }
    throw requestInProgress();
  }

  private async read(partitionKey: string, rowKey: string): Promise<Stored | undefined> {
    try {
      const entity = await this.table.getEntity<IdempotencyRecord>(partitionKey, rowKey);
      return { ...entity, expiresAt: new Date(entity.expiresAt ?? 0), etag: entity.etag };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }
}
