import { describe, expect, it } from 'vitest';
import { formatDateTimeOffset, formatTimeSpan, parseTimeSpan } from '../../../../../local/host/dotnetTime.js';

describe('parseTimeSpan', () => {
  it.each([
    ['00:00:30', 30_000],
    ['00:01:00', 60_000],
    ['01:02:03', 3_723_000],
    ['1.02:00:00', 26 * 3_600_000],
    ['00:00:00.5', 500],
    ['00:00:01.250', 1_250],
    ['00:05', 300_000],
  ])('reads %s', (text, ms) => {
    expect(parseTimeSpan(text, 'x')).toBe(ms);
  });

  it.each([[30], ['30'], ['abc'], ['00:60:00'], ['24:00:00'], ['-00:00:01'], [''], [null]])('rejects %j', (value) => {
    expect(() => parseTimeSpan(value, 'host.json extensions.queues.maxPollingInterval')).toThrow(/maxPollingInterval/);
  });
});

describe('formatting', () => {
  it('prints a TimeSpan as .NET does', () => {
    expect(formatTimeSpan(10_000)).toBe('00:00:10');
    expect(formatTimeSpan(26 * 3_600_000 + 61_000)).toBe('1.02:01:01');
  });

  it('prints a DateTimeOffset with +00:00 and no empty fraction', () => {
    expect(formatDateTimeOffset(new Date('2025-01-02T03:04:05Z'))).toBe('2025-01-02T03:04:05+00:00');
    expect(formatDateTimeOffset(new Date('2025-01-02T03:04:05.120Z'))).toBe('2025-01-02T03:04:05.120+00:00');
  });
});
