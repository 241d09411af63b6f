// withRunLease over a fake blob lease and a fake clock: loss is detected from failed, overdue or
// refused renewals, the handle renews before writes, and a broken lease's successor waits.
import { RestError } from '@azure/core-rest-pipeline';
import type { BlobServiceClient } from '@azure/storage-blob';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LeaseLostError, withRunLease, type RunLease } from '../../../../src/platform/runLease.js';

interface FakeBlobState {
  leaseState?: string;
  acquire?: () => Promise<void>;
  renew?: (signal?: AbortSignal) => Promise<void>;
}

function fakeBlobs(state: FakeBlobState = {}) {
  const calls = { acquire: 0, renew: 0, release: 0 };
  const lease = {
    acquireLease: async () => {
      calls.acquire++;
      await state.acquire?.();
    },
    renewLease: async (options: { abortSignal?: AbortSignal } = {}) => {
      calls.renew++;
      await state.renew?.(options.abortSignal);
    },
    releaseLease: async () => {
      calls.release++;
    },
  };
  const blob = {
    exists: async () => true,
    upload: async () => undefined,
    getProperties: async () => ({ leaseState: state.leaseState ?? 'available' }),
    getBlobLeaseClient: () => lease,
  };
  const container = { createIfNotExists: async () => undefined, getBlockBlobClient: () => blob };
  return { blobs: { getContainerClient: () => container } as unknown as BlobServiceClient, calls };
}

const taken = () => Promise.reject(new RestError('lease id mismatch', { statusCode: 409, code: 'LeaseIdMismatchWithLeaseOperation' }));
const hangs = (signal?: AbortSignal) => new Promise<void>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('run lease', () => {
  it('renews before every write while held, and releases at the end', async () => {
    const { blobs, calls } = fakeBlobs();
    const result = await withRunLease(blobs, 'r', async (lease) => {
      await lease.assertHeld();
      await lease.assertHeld();
      return 'done';
    });
    expect(result).toEqual({ ran: true, result: 'done', leaseLost: false });
    expect(calls.renew).toBe(2);
    expect(calls.release).toBe(1);
  });

  it('gives writers that ask during a renewal the next renewal, shared: each write follows a renewal sent after it asked', async () => {
    const state: FakeBlobState = {};
    const { blobs, calls } = fakeBlobs(state);
    const pending: (() => void)[] = [];
    await withRunLease(blobs, 'r', async (lease) => {
      state.renew = () => new Promise<void>((resolve) => pending.push(resolve));
      const settled: string[] = [];
      const first = lease.assertHeld().then(() => settled.push('first'));
      // Three more writers ask while the first renewal is on its way.
      const later = [1, 2, 3].map((index) => lease.assertHeld().then(() => settled.push(`later ${index}`)));
      await vi.advanceTimersByTimeAsync(0);
      expect(calls.renew).toBe(1);
      pending.shift()!();
      await first;
      await vi.advanceTimersByTimeAsync(0);
      // The first renewal answered only the writer that asked before it was sent.
      expect(settled).toEqual(['first']);
      expect(calls.renew).toBe(2);
      pending.shift()!();
      await Promise.all(later);
      expect(settled).toEqual(['first', 'later 1', 'later 2', 'later 3']);
      expect(calls.renew).toBe(2);
    });
  });

  it('fails every writer sharing a renewal that is refused', async () => {
    const state: FakeBlobState = {};
    const { blobs } = fakeBlobs(state);
    const result = await withRunLease(blobs, 'r', async (lease) => {
      let refuse = () => undefined as void;
      state.renew = () => new Promise<void>((resolve) => (refuse = resolve));
      const first = lease.assertHeld();
      const shared = [lease.assertHeld(), lease.assertHeld()];
      await vi.advanceTimersByTimeAsync(0);
      state.renew = taken;
      refuse();
      await first;
      for (const writer of shared) await expect(writer).rejects.toBeInstanceOf(LeaseLostError);
    });
    expect(result).toMatchObject({ ran: true, leaseLost: true });
  });

  it('does not run when another run holds the lease', async () => {
    const { blobs } = fakeBlobs({ acquire: () => Promise.reject(new RestError('there is already a lease', { statusCode: 409 })) });
    const run = vi.fn();
    expect(await withRunLease(blobs, 'r', run)).toEqual({ ran: false });
    expect(run).not.toHaveBeenCalled();
  });

  it('is lost when a renewal is refused (the lease was broken or taken): the write check throws, the signal aborts', async () => {
    const state: FakeBlobState = {};
    const { blobs, calls } = fakeBlobs(state);
    let handle: RunLease | undefined;
    const result = await withRunLease(blobs, 'r', async (lease) => {
      handle = lease;
      await lease.assertHeld();
      state.renew = taken;
      await expect(lease.assertHeld()).rejects.toBeInstanceOf(LeaseLostError);
      await expect(lease.assertHeld()).rejects.toBeInstanceOf(LeaseLostError);
    });
    expect(handle!.signal.aborted).toBe(true);
    expect(result).toMatchObject({ ran: true, leaseLost: true });
    expect(calls.release).toBe(0);
  });

  it('is lost when a background renewal fails, before any write check', async () => {
    const state: FakeBlobState = {};
    const { blobs } = fakeBlobs(state);
    const result = await withRunLease(
      blobs,
      'r',
      async (lease) => {
        state.renew = taken;
        await vi.advanceTimersByTimeAsync(1_000);
        return lease.signal.aborted;
      },
      { durationSeconds: 15, renewEveryMs: 1_000 },
    );
    expect(result).toEqual({ ran: true, result: true, leaseLost: true });
  });

  it('is lost when renewals go unanswered for lostAfterMs', async () => {
    const { blobs } = fakeBlobs({ renew: hangs });
    const result = await withRunLease(
      blobs,
      'r',
      async (lease) => {
        await vi.advanceTimersByTimeAsync(9_999);
        const before = lease.signal.aborted;
        await vi.advanceTimersByTimeAsync(2);
        return [before, lease.signal.aborted];
      },
      { durationSeconds: 15, renewEveryMs: 5_000, lostAfterMs: 10_000 },
    );
    expect(result).toEqual({ ran: true, result: [false, true], leaseLost: true });
  });

  it('after taking over a broken lease, waits out the grace before the run starts', async () => {
    const { blobs } = fakeBlobs({ leaseState: 'broken' });
    let started = false;
    const result = withRunLease(blobs, 'r', async () => void (started = true), { takeoverGraceMs: 5_000 });
    await vi.advanceTimersByTimeAsync(4_999);
    const early = started;
    await vi.advanceTimersByTimeAsync(2);
    expect(await result).toMatchObject({ ran: true });
    expect([early, started]).toEqual([false, true]);
  });

  it('starts at once after a lease that was released or expired', async () => {
    for (const leaseState of ['available', 'expired']) {
      const { blobs } = fakeBlobs({ leaseState });
      let started = false;
      const result = withRunLease(blobs, 'r', async () => void (started = true), { takeoverGraceMs: 5_000 });
      await vi.advanceTimersByTimeAsync(0);
      expect(started, leaseState).toBe(true);
      expect(await result).toMatchObject({ ran: true });
    }
  });
});
