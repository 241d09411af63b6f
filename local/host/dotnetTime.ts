// The .NET time formats the Functions host uses in host.json, schedules, trigger metadata and
// timer status: TimeSpan text ("hh:mm:ss", "d.hh:mm:ss") and DateTimeOffset in ISO form.

const TIME_SPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/;

/**
 * Parses a non-negative .NET TimeSpan ("hh:mm", "hh:mm:ss", "d.hh:mm:ss[.fffffff]") into
 * milliseconds. A bare number is rejected: .NET would read it as days, which is never what a
 * host.json author means.
 */
export function parseTimeSpan(text: unknown, what: string): number {
  if (typeof text !== 'string') {
    throw new Error(`${what} must be a TimeSpan string like "00:00:30", not ${JSON.stringify(text)}`);
  }
  const match = TIME_SPAN.exec(text.trim());
  if (!match) throw new Error(`${what}: '${text}' is not a TimeSpan ("hh:mm:ss" or "d.hh:mm:ss")`);
  const [, days = '0', hours = '0', minutes = '0', seconds = '0', fraction = ''] = match;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) {
    throw new Error(`${what}: '${text}' has a component out of range (hours 0-23, minutes and seconds 0-59)`);
  }
  const fractionMs = fraction ? Number(`0.${fraction}`) * 1000 : 0;
  return Math.round(((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000 + fractionMs);
}

/** "hh:mm:ss" (with "d." when a day or more), as .NET prints a TimeSpan. */
export function formatTimeSpan(ms: number): string {
  const totalSeconds = Math.floor(ms / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = `${pad(Math.floor(totalSeconds / 3600) % 24)}:${pad(Math.floor(totalSeconds / 60) % 60)}:${pad(totalSeconds % 60)}`;
  return days > 0 ? `${days}.${clock}` : clock;
}

/** A UTC instant as .NET serialises a DateTimeOffset: "2025-01-02T03:04:05+00:00" (fraction kept when present). */
export function formatDateTimeOffset(date: Date): string {
  return date
    .toISOString()
    .replace(/\.000Z$/, 'Z')
    .replace(/Z$/, '+00:00');
}
