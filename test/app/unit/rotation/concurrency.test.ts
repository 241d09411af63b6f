// The rotation run's concurrency controller, fed finished rotations and 429s on a fake clock.
import { describe, expect, it } from 'vitest';
import { AdaptiveConcurrency, type Ticket } from '../../../../src/rotation/concurrency.js';

function controller(options: { max?: number; initial?: number; decrease?: number } = {}) {
  const clock = { now: 0 };
  const pace = new AdaptiveConcurrency({ max: options.max ?? 64, initial: options.initial, decrease: options.decrease, now: () => clock.now });
  /** Starts rotations while it may, as the engine does. */
  const fill = () => {
    const tickets: Ticket[] = [];
    while (pace.canStart()) tickets.push(pace.start());
    return tickets;
  };
  /** One round: fills the limit, and every rotation of it finishes answered. */
  const round = () => {
    for (const ticket of fill()) pace.finished(ticket);
  };
  return { clock, pace, fill, round };
}

describe('adaptive rotation concurrency', () => {
  it('starts at 8, or at the upper bound when that is lower', () => {
    expect(controller().pace.limit).toBe(8);
    expect(controller({ max: 3 }).pace.limit).toBe(3);
    expect(controller({ initial: 2 }).pace.limit).toBe(2);
  });

  it('lets only `limit` rotations be in flight', () => {
    const { pace, fill } = controller({ initial: 4 });
    expect(fill()).toHaveLength(4);
    expect(pace.inFlight).toBe(4);
    expect(pace.canStart()).toBe(false);
  });

  it('doubles every round until the first 429 (slow start), never above the upper bound', () => {
    const { pace, round } = controller({ max: 50, initial: 4 });
    const limits: number[] = [];
    for (let i = 0; i < 5; i++) {
      round();
      limits.push(pace.limit);
    }
    expect(limits).toEqual([8, 16, 32, 50, 50]);
  });

  it('halves on a 429, then grows by one per round at the current limit', () => {
    const { clock, pace, fill, round } = controller({ initial: 40 });
    const inFlight = fill();
    pace.throttled(1_000);
    expect(pace.limit).toBe(20);
    for (const ticket of inFlight) pace.finished(ticket);
    clock.now += 1_000;
    // The 40 rotations that were in flight count towards growth at the new limit: 20 make a round.
    expect(pace.limit).toBe(21);
    round();
    expect(pace.limit).toBe(22);
    round();
    expect(pace.limit).toBe(23);
  });

  it('starts nothing until the Retry-After has passed', () => {
    const { clock, pace } = controller({ initial: 8 });
    pace.throttled(2_000);
    expect(pace.canStart()).toBe(false);
    expect(pace.pauseMs()).toBe(2_000);
    clock.now += 1_999;
    expect(pace.canStart()).toBe(false);
    clock.now += 1;
    expect(pace.pauseMs()).toBe(0);
    expect(pace.canStart()).toBe(true);
  });

  it('lowers the limit once for a burst of 429s: those during the Retry-After and those of rotations started before the decrease', () => {
    const { clock, pace, fill } = controller({ initial: 32 });
    const before = fill();
    pace.throttled(1_000);
    pace.throttled(1_000);
    expect(pace.limit).toBe(16);
    // After the pause, the SDK retries of the rotations started at 32 meet 429s too.
    clock.now += 1_000;
    pace.throttled(1_000);
    expect(pace.limit).toBe(16);
    expect(pace.stats).toMatchObject({ throttled: 3, decreases: 1 });

    // Once they have finished, a 429 is news about the lower limit.
    clock.now += 1_000;
    for (const ticket of before) pace.finished(ticket);
    const limitBefore = pace.limit;
    fill();
    pace.throttled(1_000);
    expect(pace.limit).toBe(Math.floor(limitBefore / 2));
    expect(pace.stats.decreases).toBe(2);
  });

  it('never goes below 1', () => {
    const { clock, pace } = controller({ initial: 2 });
    for (let i = 0; i < 5; i++) {
      pace.throttled(100);
      clock.now += 100;
    }
    expect(pace.limit).toBe(1);
    expect(pace.canStart()).toBe(true);
  });

  it('does not grow on rotations the vault never answered (a lost lease)', () => {
    const { pace, fill } = controller({ initial: 4 });
    for (const ticket of fill()) pace.finished(ticket, false);
    expect(pace.limit).toBe(4);
    expect(pace.inFlight).toBe(0);
  });

  it('uses a gentler decrease when asked', () => {
    const { pace } = controller({ initial: 40, decrease: 0.75 });
    pace.throttled(1_000);
    expect(pace.limit).toBe(30);
  });

  it('settles around the limit a vault allows: up while answered, down on 429s', () => {
    // A vault that answers 429 whenever more than 20 rotations are in flight.
    const { clock, pace } = controller({ max: 64, initial: 4 });
    const limits: number[] = [];
    for (let tick = 0; tick < 200; tick++) {
      const tickets: Ticket[] = [];
      while (pace.canStart()) tickets.push(pace.start());
      const throttled = pace.inFlight > 20;
      if (throttled) pace.throttled(50);
      for (const ticket of tickets) pace.finished(ticket, !throttled);
      clock.now += 100;
      limits.push(pace.limit);
    }
    const settled = limits.slice(100);
    expect(Math.max(...settled)).toBeLessThanOrEqual(21);
    expect(Math.min(...settled)).toBeGreaterThanOrEqual(10);
  });
});
