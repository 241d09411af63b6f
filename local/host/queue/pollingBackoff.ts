// The queue listener's delay between empty polls: 100 ms, then
// 100 ms + 100 ms × 2^(k−1) × random(0.8–1.2), capped at maxPollingInterval; reset by any message.

const MIN_DELAY_MS = 100;

export class PollingBackoff {
  private emptyPolls = 0;

  constructor(
    private readonly maxDelayMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next poll after one more empty (or failed) poll. */
  next(): number {
    const k = this.emptyPolls++;
    if (k === 0) return MIN_DELAY_MS;
    const jitter = 0.8 + 0.4 * this.random();
    return Math.min(this.maxDelayMs, Math.round(MIN_DELAY_MS + MIN_DELAY_MS * 2 ** (k - 1) * jitter));
  }

  reset(): void {
    this.emptyPolls = 0;
  }
}
