import { describe, expect, it } from 'vitest';
import { PollingBackoff } from '../../../../../local/host/queue/pollingBackoff.js';

describe('PollingBackoff', () => {
  it('starts at 100 ms and grows as 100 + 100 × 2^(k−1) without jitter', () => {
    const backoff = new PollingBackoff(60_000, () => 0.5);
    const delays = Array.from({ length: 8 }, () => backoff.next());
    expect(delays).toEqual([100, 200, 300, 500, 900, 1_700, 3_300, 6_500]);
  });

  it('stays within ±20 % jitter of the growth term', () => {
    const low = new PollingBackoff(60_000, () => 0);
    const high = new PollingBackoff(60_000, () => 1);
    low.next();
    high.next();
    low.next();
    high.next();
    expect(low.next()).toBe(100 + 160);
    expect(high.next()).toBe(100 + 240);
  });

  it('is capped at maxPollingInterval', () => {
    const backoff = new PollingBackoff(2_000, () => 0.5);
    const delays = Array.from({ length: 20 }, () => backoff.next());
    expect(Math.max(...delays)).toBe(2_000);
    expect(delays.at(-1)).toBe(2_000);
  });

  it('returns to 100 ms after a reset', () => {
    const backoff = new PollingBackoff(60_000, () => 0.5);
    for (let i = 0; i < 5; i++) backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(100);
    expect(backoff.next()).toBe(200);
  });
});
