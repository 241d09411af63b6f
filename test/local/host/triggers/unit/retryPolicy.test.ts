import { describe, expect, it } from 'vitest';
import { readRetryPolicy } from '../../../../../local/host/timer/retryPolicy.js';

describe('timer retry options', () => {
  it('is absent without retry options', () => {
    expect(readRetryPolicy(undefined, 'f')).toBeUndefined();
  });

  it('reads fixedDelay as registered by the library', () => {
    const policy = readRetryPolicy({ strategy: 'fixedDelay', retryStrategy: 'fixedDelay', maxRetryCount: 3, delayInterval: { seconds: 2 } }, 'f');
    expect(policy?.maxRetryCount).toBe(3);
    expect([1, 2, 3].map((n) => policy?.delayMs(n))).toEqual([2_000, 2_000, 2_000]);
  });

  it('doubles exponentialBackoff from the minimum up to the maximum', () => {
    const policy = readRetryPolicy(
      { retryStrategy: 'exponentialBackoff', maxRetryCount: -1, minimumInterval: { seconds: 1 }, maximumInterval: { seconds: 5 } },
      'f',
      () => 0.5,
    );
    expect(policy?.maxRetryCount).toBe(-1);
    expect([1, 2, 3, 4, 5].map((n) => policy?.delayMs(n))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it('refuses incomplete options naming the function', () => {
    expect(() => readRetryPolicy({ retryStrategy: 'fixedDelay', maxRetryCount: 1 }, 'tick')).toThrow(/tick.*delayInterval/);
    expect(() => readRetryPolicy({ retryStrategy: 'linear', maxRetryCount: 1 }, 'tick')).toThrow(/linear/);
    expect(() => readRetryPolicy({ retryStrategy: 'fixedDelay', delayInterval: { seconds: 1 } }, 'tick')).toThrow(/maxRetryCount/);
  });
});
