import { RestError } from '@azure/core-rest-pipeline';
import type { BlobServiceClient } from '@azure/storage-blob';
import { abortableDelay } from './delay.js';

/** What a run holding the lease is given: check it before every write, pass the signal to calls. */
export interface RunLease {
  /** Aborted as soon as the lease is known or suspected to be lost. */
  readonly signal: AbortSignal;
  /** Resolves when the lease is confirmed held right now (it is renewed); throws LeaseLostError otherwise. */
  assertHeld(): Promise<void>;
}

export class LeaseLostError extends Error {
  constructor(
    readonly leaseName: string,
    readonly why: string,
  ) {
    super(`the run lease '${leaseName}' was lost: ${why}`);
    this.name = 'LeaseLostError';
  }
}

export interface RunLeaseOptions {
  /** The blob lease's length: 15 to 60 seconds (default 60); never infinite, so a crashed run's lease lapses. */
  durationSeconds?: number;
  /** Background renewal interval (default a third of the lease). */
  renewEveryMs?: number;
  /**
   * Without a confirmed renewal for this long the lease counts as lost (default two thirds of the
   * lease), well before it could actually lapse and another run take it. This plus the run's call
   * timeout must stay below the lease's length.
   */
  lostAfterMs?: number;
  /**
   * How long a run that takes over a broken lease waits before it starts (default 15 s). At least
   * as long as one write of the previous holder may take (its call timeout).
   */
  takeoverGraceMs?: number;
}

export type RunLeaseResult<T> = { ran: true; result: T; leaseLost: boolean } | { ran: false };

const CONTAINER = 'run-leases';

/**
 * A blob lease held for the length of a run, so that overlapping runs (two timer hosts, a slow run
 * meeting the next schedule) do not work at once. Renewed in the background while held; a failed
 * renewal, a renewal overdue, or a lease broken or taken by someone else makes it lost: the
 * handle's signal aborts and `assertHeld` throws, and the run is expected to stop writing.
 */
export async function withRunLease<T>(
  blobs: BlobServiceClient,
  name: string,
  run: (lease: RunLease) => Promise<T>,
  options: RunLeaseOptions = {},
): Promise<RunLeaseResult<T>> {
  const durationSeconds = options.durationSeconds ?? 60;
  if (!Number.isInteger(durationSeconds) || durationSeconds < 15 || durationSeconds > 60) throw new RangeError('a run lease lasts 15 to 60 seconds');
  const durationMs = durationSeconds * 1000;
  const renewEveryMs = options.renewEveryMs ?? durationMs / 3;
  const lostAfterMs = options.lostAfterMs ?? (durationMs * 2) / 3;
  const takeoverGraceMs = options.takeoverGraceMs ?? 15_000;

  const container = blobs.getContainerClient(CONTAINER);
  await container.createIfNotExists();
  const blob = container.getBlockBlobClient(name);
  if (!(await blob.exists())) await blob.upload('', 0).catch((error: unknown) => (isConflict(error) ? undefined : Promise.reject(error)));
  // A broken lease can end just after its holder confirmed it, with that holder's last write
  // still on its way; an expired one cannot (the holder gives up long before it lapses).
  const { leaseState } = await blob.getProperties();
  const lease = blob.getBlobLeaseClient();
  const acquiredSentAt = Date.now();
  try {
    await lease.acquireLease(durationSeconds);
  } catch (error) {
    if (isConflict(error)) return { ran: false };
    throw error;
  }
  const controller = new AbortController();
  let lostBecause: string | undefined;
  let confirmedAt = acquiredSentAt;
  let watchdog: NodeJS.Timeout | undefined;
  const lost = () => new LeaseLostError(name, lostBecause ?? 'unknown');
  const markLost = (why: string) => {
    if (lostBecause !== undefined) return;
    lostBecause = why;
    clearTimeout(watchdog);
    controller.abort(lost());
  };
  // Confirmation times are when the request was sent: the lease runs at least that long from then.
  const confirmed = (sentAt: number) => {
    if (lostBecause !== undefined) return;
    confirmedAt = Math.max(confirmedAt, sentAt);
    clearTimeout(watchdog);
    watchdog = setTimeout(() => markLost('not renewed in time'), Math.max(0, confirmedAt + lostAfterMs - Date.now()));
  };
  const renew = async () => {
    if (lostBecause !== undefined) throw lost();
    if (Date.now() - confirmedAt > lostAfterMs) {
      markLost('not renewed in time');
      throw lost();
    }
    const sentAt = Date.now();
    try {
      await lease.renewLease({ abortSignal: AbortSignal.any([controller.signal, AbortSignal.timeout(lostAfterMs)]) });
    } catch (error) {
      markLost(`renewal failed (${describe(error)})`);
      throw lost();
    }
    if (lostBecause !== undefined) throw lost();
    confirmed(sentAt);
  };
  confirmed(acquiredSentAt);

  // Writers that ask while a renewal is on its way share the next one, sent as soon as that one
  // ends: each write still follows a renewal sent after it asked, and a run's concurrent
  // rotations do not cost a blob request each.
  let renewing: Promise<void> | undefined;
  let nextRenewal: Promise<void> | undefined;
  const renewAfterNow = (): Promise<void> => {
    if (!renewing) {
      renewing = renew().finally(() => (renewing = undefined));
      return renewing;
    }
    nextRenewal ??= renewing
      .catch(() => undefined)
      .then(() => {
        nextRenewal = undefined;
        return renewAfterNow();
      });
    return nextRenewal;
  };

  const handle: RunLease = {
    signal: controller.signal,
    // A break or a take-over by another run is only visible to a lease call, so the lease is
    // renewed right before every write: what goes unnoticed is then at most that one write, which
    // a run taking over a broken lease waits out before it starts.
    assertHeld: renewAfterNow,
  };
  const renewal = setInterval(() => void renew().catch(() => undefined), renewEveryMs);
  try {
    // The previous holder's last write may still be on its way: the run, which reads before it
    // writes, must not read until that write is done.
    if (leaseState === 'broken') await abortableDelay(takeoverGraceMs, controller.signal).catch(() => undefined);
    const result = await run(handle);
    return { ran: true, result, leaseLost: lostBecause !== undefined };
  } finally {
    clearInterval(renewal);
    clearTimeout(watchdog);
    if (lostBecause === undefined) await lease.releaseLease().catch(() => undefined);
  }
}

const isConflict = (error: unknown) => error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412);

function describe(error: unknown): string {
  if (error instanceof RestError) return `storage answered ${error.statusCode ?? 'without a status'}${error.code ? ` ${error.code}` : ''}`;
  return error instanceof Error ? error.name : 'error';
}
