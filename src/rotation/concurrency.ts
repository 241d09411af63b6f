/**
 * How many rotations of one run may be in flight, found from the vault's answers rather than set
 * by hand: the limit grows while the vault answers and shrinks when it answers 429.
 *
 * - Slow start: from `initial`, +1 per finished rotation (the limit doubles every round of
 *   rotations) until the first 429: a run below the vault's limit reaches `max` within a few
 *   rounds.
 * - Then additive increase: +1 per `limit` finished rotations (one round at the current limit).
 * - Multiplicative decrease on a 429: the limit is multiplied by `decrease` (at least 1), once per
 *   round: the 429s of rotations that were already in flight when the limit last fell, or that
 *   arrive while the vault's Retry-After is still running, do not lower it again.
 * - Retry-After: no rotation starts until it has passed.
 * - `max` (ROTATION_CONCURRENCY) is never exceeded.
 *
 * Pure: no timers; time comes from `now`, and the caller asks `canStart` / `pauseMs`.
 */
export interface AdaptiveConcurrencyOptions {
  /** Upper bound (ROTATION_CONCURRENCY). */
  max: number;
  /** Where the limit starts (default 8, today's fixed concurrency, or `max` when lower). */
  initial?: number;
  /** Factor applied to the limit on a 429 (default 0.5). */
  decrease?: number;
  now?: () => number;
}

/** A started rotation, handed back to `finished`. */
export interface Ticket {
  readonly epoch: number;
}

export const DEFAULT_INITIAL_CONCURRENCY = 8;
export const DEFAULT_DECREASE = 0.5;

export class AdaptiveConcurrency {
  private current: number;
  private readonly max: number;
  private readonly decrease: number;
  private readonly now: () => number;
  private slowStart = true;
  /** Rotations finished since the limit last grew (congestion avoidance). */
  private credit = 0;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  /** Bumped by every decrease: rotations started before it belong to an older epoch. */
  private epoch = 0;
  private readonly inFlightByEpoch = new Map<number, number>();
  private running = 0;
  /** Counters for the run's log line. */
  readonly stats = { decreases: 0, throttled: 0, peak: 0 };

  constructor(options: AdaptiveConcurrencyOptions) {
    if (!Number.isInteger(options.max) || options.max < 1) throw new RangeError('max must be a whole number of at least 1');
    this.max = options.max;
    this.current = Math.min(this.max, Math.max(1, Math.floor(options.initial ?? DEFAULT_INITIAL_CONCURRENCY)));
    this.decrease = options.decrease ?? DEFAULT_DECREASE;
    if (!(this.decrease > 0 && this.decrease < 1)) throw new RangeError('decrease must be between 0 and 1');
    this.now = options.now ?? Date.now;
    this.stats.peak = this.current;
  }

  /** How many rotations may be in flight now. */
  get limit(): number {
    return this.current;
  }

  /** How many rotations are in flight (started and not finished). */
  get inFlight(): number {
    return this.running;
  }

  /** Milliseconds until the vault's last Retry-After has passed (0: not paused). */
  pauseMs(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  /** Whether one more rotation may start now. */
  canStart(): boolean {
    return this.running < this.current && this.pauseMs() === 0;
  }

  /** Records the start of a rotation (whether or not `canStart` said it may). */
  start(): Ticket {
    this.running++;
    this.inFlightByEpoch.set(this.epoch, (this.inFlightByEpoch.get(this.epoch) ?? 0) + 1);
    return { epoch: this.epoch };
  }

  /**
   * A rotation ended. `answered`: the vault answered it (rotated, skipped or failed for any reason
   * other than a 429), which is what lets the limit grow; false for a rotation that never reached
   * the vault (a lost lease).
   */
  finished(ticket: Ticket, answered = true): void {
    this.running = Math.max(0, this.running - 1);
    const left = (this.inFlightByEpoch.get(ticket.epoch) ?? 1) - 1;
    if (left > 0) this.inFlightByEpoch.set(ticket.epoch, left);
    else this.inFlightByEpoch.delete(ticket.epoch);
    if (!answered || this.current >= this.max) return;
    if (this.slowStart) {
      this.grow();
    } else if (++this.credit >= this.current) {
      this.credit = 0;
      this.grow();
    }
  }

  /** The vault answered 429 asking to wait `retryAfterMs`. */
  throttled(retryAfterMs: number): void {
    this.stats.throttled++;
    const now = this.now();
    const wasPaused = this.pausedUntil > now;
    this.pausedUntil = Math.max(this.pausedUntil, now + Math.max(0, retryAfterMs));
    this.slowStart = false;
    // Once per round: not while the last Retry-After runs, nor while rotations started at the
    // previous limit are still in flight (their 429s say nothing about the lower limit).
    if (wasPaused || this.olderInFlight()) return;
    this.current = Math.max(1, Math.floor(this.current * this.decrease));
    this.credit = 0;
    this.epoch++;
    this.stats.decreases++;
  }

  private olderInFlight(): boolean {
    for (const [epoch, count] of this.inFlightByEpoch) if (epoch < this.epoch && count > 0) return true;
    return false;
  }

  private grow(): void {
    this.current = Math.min(this.max, this.current + 1);
    this.stats.peak = Math.max(this.stats.peak, this.current);
  }
}
