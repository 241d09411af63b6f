import { createHash, createHmac } from 'node:crypto';
import { RestError } from '@azure/core-rest-pipeline';
import type { TableClient } from '@azure/data-tables';
import { problems } from './problems.js';
import { onceUntilFailure } from './once.js';

/** How long a key is remembered, and how long an unfinished claim blocks a retry. */
const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
const CLAIM_TIMEOUT_MS = 60 * 1000;

export interface IdempotentOutcome {
  status: number;
  /** What the first request produced (e.g. the secret version); enough to answer a replay. */
  result: string;
}

export interface IdempotencyStore {
  /** Runs `work` once per (scope, key, request); a replay with the same request gets the first outcome. */
  run(scope: string, key: string, request: unknown, work: () => Promise<IdempotentOutcome>): Promise<IdempotentOutcome & { replayed: boolean }>;
}

interface IdempotencyRecord {
  partitionKey: string;
  rowKey: string;
  requestHash: string;
  state: 'pending' | 'done';
  status?: number;
  result?: string;
  claimedAt: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
// Keyed by the idempotency key, which is stored only as a hash: a table reader cannot test
// guesses of a secret value against the stored request hash.
const requestDigest = (key: string, request: unknown) => createHmac('sha256', key).update(JSON.stringify(request)).digest('hex');

/**
 * Idempotency keys in Azure Table storage. A key is claimed with an insert (which only one
 * concurrent request can win), then completed with the outcome. Keys are stored as hashes and
 * request bodies as HMACs keyed by the idempotency key: never a value.
 */
export class TableIdempotencyStore implements IdempotencyStore {
  private readonly ensureTable: () => Promise<void>;

  constructor(private readonly table: TableClient, private readonly now: () => number = Date.now) {
    this.ensureTable = onceUntilFailure(() => table.createTable());
  }

  async run(scope: string, key: string, request: unknown, work: () => Promise<IdempotentOutcome>) {
    await this.ensureTable();
    const partitionKey = `idempotency-${sha256(scope).slice(0, 32)}`;
    const rowKey = sha256(key);
    const requestHash = requestDigest(key, request);
    const claim: IdempotencyRecord = { partitionKey, rowKey, requestHash, state: 'pending', claimedAt: new Date(this.now()).toISOString() };

    const existing = await this.claim(claim);
    if (existing) {
      const age = this.now() - Date.parse(existing.record.claimedAt);
      const expired = age > KEY_LIFETIME_MS || (existing.record.state === 'pending' && age > CLAIM_TIMEOUT_MS);
      if (!expired) {
        if (existing.record.requestHash !== requestHash) {
          throw problems.idempotencyKeyReused();
        }
        if (existing.record.state === 'done') {
          return { status: existing.record.status!, result: existing.record.result!, replayed: true };
        }
        throw problems.requestInProgress();
      }
      // A stale claim (its request crashed) or an expired key: take it over, guarded by its ETag.
      try {
        await this.table.updateEntity(claim, 'Replace', { etag: existing.etag });
      } catch (error) {
        if (error instanceof RestError && error.statusCode === 412) {
          throw problems.requestInProgress();
        }
        throw error;
      }
    }

    let outcome: IdempotentOutcome;
    try {
      outcome = await work();
    } catch (error) {
      await this.table.deleteEntity(partitionKey, rowKey).catch(() => undefined);
      throw error;
    }
    await this.table.updateEntity({ ...claim, state: 'done', status: outcome.status, result: outcome.result }, 'Replace');
    return { ...outcome, replayed: false };
  }

  /** Inserts the claim; returns the existing record when the key is already taken. */
  private async claim(claim: IdempotencyRecord): Promise<{ record: IdempotencyRecord; etag: string } | undefined> {
    try {
      await this.table.createEntity(claim);
      return undefined;
    } catch (error) {
      if (!(error instanceof RestError) || error.statusCode !== 409) throw error;
      const entity = await this.table.getEntity<IdempotencyRecord>(claim.partitionKey, claim.rowKey);
      return { record: entity, etag: entity.etag };
    }
  }
}
