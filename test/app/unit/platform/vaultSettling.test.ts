import { RestError } from '@azure/core-rest-pipeline';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { settle, SETTLE_WAIT_MS, whenSettled } from '../../../../src/platform/vaultSettling.js';
import { isSettling } from '../../../../src/platform/vaultFailures.js';

/** A Key Vault 409 as the SDK raises it (inner code in details.error.innerError). */
function conflict(inner: string): RestError {
  const error = new RestError('conflict', { statusCode: 409, code: 'Conflict' });
  error.details = { error: { code: 'Conflict', innerError: { code: inner } } };
  return error;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('waiting for Key Vault to finish a delete, purge or recovery', () => {
  it('recognises only the in-progress 409s', () => {
    expect(isSettling(conflict('ObjectIsBeingDeleted'))).toBe(true);
    expect(isSettling(conflict('ObjectIsBeingRecovered'))).toBe(true);
    expect(isSettling(conflict('ObjectIsDeletedButRecoverable'))).toBe(false);
    expect(isSettling(new RestError('throttled', { statusCode: 429 }))).toBe(false);
    expect(isSettling(new Error('ObjectIsBeingDeleted'))).toBe(false);
  });

  it('retries a call while the name is being deleted, then returns its answer', async () => {
    vi.useFakeTimers();
    const call = vi.fn().mockRejectedValueOnce(conflict('ObjectIsBeingDeleted')).mockRejectedValueOnce(conflict('ObjectIsBeingDeleted')).mockResolvedValue('written');
    const result = whenSettled(call);
    await vi.runAllTimersAsync();
    await expect(result).resolves.toBe('written');
    expect(call).toHaveBeenCalledTimes(3);
  });

  it('passes other failures on at once, and the in-progress one once the wait is over', async () => {
    vi.useFakeTimers();
    const final = conflict('ObjectIsDeletedButRecoverable');
    const refused = vi.fn().mockRejectedValue(final);
    await expect(whenSettled(refused)).rejects.toBe(final);
    expect(refused).toHaveBeenCalledTimes(1);

    const stuck = vi.fn().mockRejectedValue(conflict('ObjectIsBeingRecovered'));
    const waiting = whenSettled(stuck).catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    expect(isSettling(await waiting)).toBe(true);
    expect(stuck.mock.calls.length).toBeGreaterThan(1);
    expect(stuck.mock.calls.length).toBeLessThanOrEqual(SETTLE_WAIT_MS / 1000 + 1);
  });

  it('polls a delete or recover poller until it is done, and gives up quietly after the wait', async () => {
    vi.useFakeTimers();
    let polls = 0;
    const finishing = { isDone: () => polls >= 2, poll: vi.fn(async () => void polls++) };
    const done = settle(finishing);
    await vi.runAllTimersAsync();
    await done;
    expect(finishing.poll).toHaveBeenCalledTimes(2);

    const never = { isDone: () => false, poll: vi.fn(async () => undefined) };
    const gaveUp = settle(never);
    await vi.runAllTimersAsync();
    await expect(gaveUp).resolves.toBeUndefined();
    expect(never.poll.mock.calls.length).toBeLessThanOrEqual(SETTLE_WAIT_MS / 1000);
  });
});
