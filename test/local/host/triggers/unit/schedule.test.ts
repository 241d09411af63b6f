import { describe, expect, it } from 'vitest';
import { parseSchedule } from '../../../../../local/host/timer/schedule.js';

const UTC = 'UTC';
const at = (iso: string) => new Date(iso);
function nextRuns(schedule: string, from: string, count = 3, timeZone = UTC): string[] {
  const parsed = parseSchedule(schedule, timeZone);
  const runs: string[] = [];
  for (let t = at(from), i = 0; i < count; i++) runs.push((t = parsed.next(t)).toISOString());
  return runs;
}

describe('NCRONTAB schedules', () => {
  it('reads 6 fields with seconds first', () => {
    expect(nextRuns('30 */5 * * * *', '2026-01-01T00:00:00Z')).toEqual(['2026-01-01T00:00:30.000Z', '2026-01-01T00:05:30.000Z', '2026-01-01T00:10:30.000Z']);
  });

  it('reads 5 fields with seconds = 0', () => {
    expect(nextRuns('*/5 * * * *', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-01T00:05:00.000Z', '2026-01-01T00:10:00.000Z']);
  });

  it('requires day of month AND day of week', () => {
    // Friday the 13th, not every Friday nor every 13th.
    expect(nextRuns('0 0 0 13 * 5', '2026-01-01T00:00:00Z')).toEqual(['2026-02-13T00:00:00.000Z', '2026-03-13T00:00:00.000Z', '2026-11-13T00:00:00.000Z']);
  });

  it('counts weekdays from Sunday = 0 and refuses 7', () => {
    expect(nextRuns('0 0 12 * * 0', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-04T12:00:00.000Z']);
    expect(() => parseSchedule('0 0 12 * * 7', UTC)).toThrow(/day of week '7'.*out of range/);
  });

  it('accepts English names and any prefix of them, in any case', () => {
    const monday = ['2026-01-05T00:00:00.000Z'];
    expect(nextRuns('0 0 0 * * Mon', '2026-01-01T00:00:00Z', 1)).toEqual(monday);
    expect(nextRuns('0 0 0 * * MONDAY', '2026-01-01T00:00:00Z', 1)).toEqual(monday);
    expect(nextRuns('0 0 0 * * mond', '2026-01-01T00:00:00Z', 1)).toEqual(monday);
    expect(nextRuns('0 0 0 1 Mar *', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-03-01T00:00:00.000Z']);
    expect(nextRuns('0 0 0 1 september *', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-09-01T00:00:00.000Z']);
    expect(nextRuns('0 0 0 * * fri-sat', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z']);
  });

  it('reads a/n as from a to the maximum in steps of n', () => {
    expect(nextRuns('5/20 * * * * *', '2026-01-01T00:00:00Z', 4)).toEqual([
      '2026-01-01T00:00:05.000Z',
      '2026-01-01T00:00:25.000Z',
      '2026-01-01T00:00:45.000Z',
      '2026-01-01T00:01:05.000Z',
    ]);
  });

  it('reads ranges, lists and stepped ranges', () => {
    expect(nextRuns('0 0 9-10,15 * * 1-5', '2026-01-02T00:00:00Z', 4)).toEqual([
      '2026-01-02T09:00:00.000Z',
      '2026-01-02T10:00:00.000Z',
      '2026-01-02T15:00:00.000Z',
      '2026-01-05T09:00:00.000Z',
    ]);
    expect(nextRuns('0 0 0 1-10/3 * *', '2026-01-01T00:00:00Z', 3)).toEqual(['2026-01-04T00:00:00.000Z', '2026-01-07T00:00:00.000Z', '2026-01-10T00:00:00.000Z']);
  });

  it.each([
    '0 0 0 L * *',
    '0 0 0 15W * *',
    '0 0 0 * * 5#2',
    '0 0 0 ? * *',
    '0 0 0 * * 5L',
    '@daily',
    '0 0 0 * * * 2026',
    '* * * *',
    '61 * * * * *',
    '0 0 0 0 * *',
    '0 0 0 * 13 *',
    '0 0 0 * * Funday',
    '0 0 5-1 * * *',
  ])('refuses %j', (schedule) => {
    expect(() => parseSchedule(schedule, UTC)).toThrow(/Timer schedule/);
  });

  it('evaluates in the given time zone', () => {
    expect(nextRuns('0 0 9 * * *', '2026-01-01T00:00:00Z', 1, 'Europe/Berlin')).toEqual(['2026-01-01T08:00:00.000Z']);
    expect(nextRuns('0 0 9 * * *', '2026-07-01T00:00:00Z', 1, 'Europe/Berlin')).toEqual(['2026-07-01T07:00:00.000Z']);
  });

  it('knows when a schedule fires more than once a minute', () => {
    expect(parseSchedule('*/10 * * * * *', UTC).firesMoreThanOncePerMinute).toBe(true);
    expect(parseSchedule('0 * * * * *', UTC).firesMoreThanOncePerMinute).toBe(false);
    expect(parseSchedule('0 */5 * * * *', UTC).firesMoreThanOncePerMinute).toBe(false);
  });

  it('describes itself as the host does', () => {
    expect(parseSchedule('0 */5 * * * *', UTC).description).toBe("Cron: '0 */5 * * * *'");
  });
});

describe('TimeSpan schedules', () => {
  it('fires every interval after the given time', () => {
    const schedule = parseSchedule('00:00:10');
    expect(schedule.next(at('2026-01-01T00:00:03Z')).toISOString()).toBe('2026-01-01T00:00:13.000Z');
    expect(schedule.description).toBe('Constant: 00:00:10');
    expect(schedule.firesMoreThanOncePerMinute).toBe(true);
    expect(parseSchedule('01:00:00').firesMoreThanOncePerMinute).toBe(false);
  });

  it('refuses a zero interval', () => {
    expect(() => parseSchedule('00:00:00')).toThrow(/positive/);
  });
});
