// The Idempotency-Key store against Azurite's Table service (real ETags and conflicts), with a
// clock the tests move.
import { createHash, createHmac } from 'node:crypto';
import path from 'node:path';
import { TableClient, type TableEntityResult } from '@azure/data-tables';
import { beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { functionTimeoutMs, readHostJson } from '../../../../local/host/hostJson.js';
import { CLAIM_LIFETIME_MS, KEY_LIFETIME_MS, TableIdempotencyStore, type IdempotentOutcome } from '../../../../src/platform/idempotency.js';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');
const storage = inject('storage');
const HOUR = 60 * 60 * 1000;

const serverKeyA = () => Promise.resolve(Buffer.alloc(32, 0xa1));
const serverKeyB = () => Promise.resolve(Buffer.alloc(32, 0xb2));
const request = { name: 'db-password', input: { value: 'v' } };

let table: TableClient;
let clock: number;
/** A store as one process of the app would have it; several of them share the table. */
const store = (serverKey = serverKeyA) => new TableIdempotencyStore(table, { serverKey, now: () => clock });
const outcome = (result: string): IdempotentOutcome => ({ status: 201, result });
const notCalled = () => Promise.reject(new Error('the work ran again'));
const rows = async () => {
  const all: TableEntityResult<Record<string, unknown>>[] = [];
  for await (const row of table.listEntities<Record<string, unknown>>()) all.push(row);
  return all;
};
const idempotencyRows = async () => (await rows()).filter((row) => row.partitionKey!.startsWith('idempotency-'));

beforeEach(() => {
  table = TableClient.fromConnectionString(storage.connectionString, `idem${Math.random().toString(36).slice(2, 12)}`, { allowInsecureConnection: true });
  clock = Date.parse('2030-01-01T00:00:00Z');
});

describe('TableIdempotencyStore', () => {
  it('replays the first outcome for the same request; another request with the key is 422', async () => {
    expect(await store().run('s', 'k', request, async () => outcome('v1'))).toEqual({ ...outcome('v1'), replayed: false });
    expect(await store().run('s', 'k', request, notCalled)).toEqual({ ...outcome('v1'), replayed: true });
    await expect(store().run('s', 'k', { ...request, input: { value: 'other' } }, notCalled)).rejects.toMatchObject({ kind: 'unprocessable', code: 'IdempotencyKeyReused' });
    expect(await store().run('other-scope', 'k', { other: true }, async () => outcome('v2'))).toEqual({ ...outcome('v2'), replayed: false });
  });

  it("keeps a claim for longer than host.json's functionTimeout", async () => {
    const timeout = functionTimeoutMs(readHostJson(repoRoot, {}));
    expect(timeout, 'host.json functionTimeout must be bounded for a claim to outlive it').toBeDefined();
    const work = vi.fn(async () => {
      // Past the timeout, with a minute of clock skew between instances on top.
      clock += timeout! + 60_000;
      await expect(store().run('s', 'k', request, notCalled)).rejects.toMatchObject({ kind: 'conflict', code: 'RequestInProgress' });
      return outcome('v1');
    });
    expect(await store().run('s', 'k', request, work)).toEqual({ ...outcome('v1'), replayed: false });
    expect(work).toHaveBeenCalledOnce();
    expect(await store().run('s', 'k', request, notCalled)).toEqual({ ...outcome('v1'), replayed: true });
  });

  it('lets a later request take over a claim whose request never finished, once the claim has expired', async () => {
    void store().run('s', 'k', request, () => new Promise<IdempotentOutcome>(() => undefined));
    await vi.waitFor(async () => expect(await idempotencyRows()).toHaveLength(1));
    clock += CLAIM_LIFETIME_MS + 1;
    expect(await store().run('s', 'k', request, async () => outcome('v2'))).toEqual({ ...outcome('v2'), replayed: false });
  });

  it('does not overwrite a record taken over meanwhile; the request that did the work answers with its own outcome', async () => {
    const first = await store().run('s', 'k', request, async () => {
      clock += CLAIM_LIFETIME_MS + 1;
      expect(await store().run('s', 'k', request, async () => outcome('taker'))).toEqual({ ...outcome('taker'), replayed: false });
      return outcome('slow');
    });
    expect(first).toEqual({ ...outcome('slow'), replayed: false });
    expect(await store().run('s', 'k', request, notCalled)).toEqual({ ...outcome('taker'), replayed: true });
  });

  it('does not release a record taken over meanwhile when its own work fails', async () => {
    const failed = store().run('s', 'k', request, async () => {
      clock += CLAIM_LIFETIME_MS + 1;
      await store().run('s', 'k', request, async () => outcome('taker'));
      throw new Error('work failed');
    });
    await expect(failed).rejects.toThrow('work failed');
    expect(await store().run('s', 'k', request, notCalled)).toEqual({ ...outcome('taker'), replayed: true });
  });

  it('releases its own claim when the work fails, so a retry runs it', async () => {
    await expect(store().run('s', 'k', request, () => Promise.reject(new Error('work failed')))).rejects.toThrow('work failed');
    expect(await idempotencyRows()).toEqual([]);
    expect(await store().run('s', 'k', request, async () => outcome('v1'))).toEqual({ ...outcome('v1'), replayed: false });
  });

  it('treats an expired record as absent, and removeExpired deletes expired idempotency rows only', async () => {
    const start = clock;
    await store().run('s', 'reused', request, async () => outcome('v1'));
    await store().run('s', 'old', request, async () => outcome('v1'));
    clock = start + 12 * HOUR;
    await store().run('s', 'recent', request, async () => outcome('v1'));
    // Rows that are not idempotency records, and one written before records had `expiresAt`.
    await table.createEntity({ partitionKey: 'operation', rowKey: 'op-1', expiresAt: new Date(0) });
    await table.createEntity({ partitionKey: 'renewal', rowKey: 'cert-1', claimedAt: new Date(0).toISOString() });
    await table.createEntity({ partitionKey: 'idempotency-legacy', rowKey: 'old', claimedAt: new Date(start - 1000).toISOString(), state: 'done' });

    clock = start + KEY_LIFETIME_MS + 1000;
    const other = { ...request, input: { value: 'other' } };
    expect(await store().run('s', 'reused', other, async () => outcome('v2'))).toEqual({ ...outcome('v2'), replayed: false });
    expect(await idempotencyRows()).toHaveLength(4);

    expect(await store().removeExpired(1)).toBe(1);
    expect(await store().removeExpired()).toBe(1);
    expect(await store().removeExpired()).toBe(0);
    const left = await rows();
    const scopePartition = `idempotency-${createHash('sha256').update('s').digest('hex').slice(0, 32)}`;
    expect(left.map((row) => row.partitionKey).sort()).toEqual([scopePartition, scopePartition, 'operation', 'renewal']);
    // What is left is the reused key (now v2) and the recent one.
    expect(await store().run('s', 'reused', other, notCalled)).toEqual({ ...outcome('v2'), replayed: true });
    expect(await store().run('s', 'recent', request, notCalled)).toEqual({ ...outcome('v1'), replayed: true });
  });

  it('keys rows and request digests with the server key, so they cannot be derived from the caller input alone', async () => {
    expect(await store(serverKeyA).run('s', 'k', request, async () => outcome('a'))).toEqual({ ...outcome('a'), replayed: false });
    // Another server key finds nothing to replay for the same scope, key and request.
    expect(await store(serverKeyB).run('s', 'k', request, async () => outcome('b'))).toEqual({ ...outcome('b'), replayed: false });

    const [a, b] = await idempotencyRows();
    expect(a!.partitionKey).toBe(b!.partitionKey);
    expect(a!.rowKey).not.toBe(b!.rowKey);
    expect(a!.requestHash).not.toBe(b!.requestHash);
    for (const row of [a!, b!]) {
      expect(row.rowKey).not.toBe(createHash('sha256').update('k').digest('hex'));
      expect(row.requestHash).not.toBe(createHmac('sha256', 'k').update(JSON.stringify(request)).digest('hex'));
      expect(Object.values(row).map(String).join('\n')).not.toContain('db-password');
    }
  });

  it('runs the work once when many requests claim the same key at once', async () => {
    const work = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return outcome('v1');
    });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => store().run('s', 'k', request, work)));
    expect(work).toHaveBeenCalledOnce();
    const answered = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
    expect(answered.filter((r) => !r.replayed)).toEqual([{ ...outcome('v1'), replayed: false }]);
    expect(answered.filter((r) => r.replayed).every((r) => r.result === 'v1')).toBe(true);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ kind: 'conflict', code: 'RequestInProgress' });
    expect(await idempotencyRows()).toHaveLength(1);
  });
});
