import { describe, expect, it } from 'vitest';
import { parseSchedule } from '../../../../../local/host/timer/schedule.js';
import { isPastDue, NEVER } from '../../../../../local/host/timer/status.js';
import { timerInput } from '../../../../../local/host/timer/timerInput.js';

const hourly = parseSchedule('0 0 * * * *', 'UTC');
const now = new Date('2026-03-10T12:30:00Z');

describe('past-due detection', () => {
  it('is past due when the stored Next has passed', () => {
    const stored = { Last: '2026-03-10T10:00:00+00:00', Next: '2026-03-10T11:00:00+00:00', LastUpdated: '2026-03-10T10:00:01+00:00' };
    expect(isPastDue(stored, hourly, now)).toBe(true);
  });

  it('is not past due while the stored Next is ahead', () => {
    const stored = { Last: '2026-03-10T12:00:00+00:00', Next: '2026-03-10T13:00:00+00:00', LastUpdated: '2026-03-10T12:00:01+00:00' };
    expect(isPastDue(stored, hourly, now)).toBe(false);
  });

  it('notices a schedule that changed to fire earlier than the stored Next', () => {
    // Stored by a daily schedule; the function is hourly now and missed 12:00.
    const stored = { Last: '2026-03-10T00:00:00+00:00', Next: '2026-03-11T00:00:00+00:00', LastUpdated: '2026-03-10T00:00:01+00:00' };
    expect(isPastDue(stored, hourly, now)).toBe(true);
  });

  it('counts from LastUpdated before the first run', () => {
    const fresh = { Last: NEVER, Next: '2026-03-11T00:00:00+00:00', LastUpdated: '2026-03-10T12:10:00+00:00' };
    expect(isPastDue(fresh, hourly, now)).toBe(false);
    expect(isPastDue({ ...fresh, LastUpdated: '2026-03-10T10:10:00+00:00' }, hourly, now)).toBe(true);
  });
});

describe('timer input', () => {
  it('has the shape the host sends', () => {
    expect(timerInput(null, false)).toEqual({ json: '{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}' });
    const status = { Last: 'a', Next: 'b', LastUpdated: 'c' };
    expect(JSON.parse(timerInput(status, true).json!)).toEqual({ Schedule: { AdjustForDST: true }, ScheduleStatus: status, IsPastDue: true });
  });
});
