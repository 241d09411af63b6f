// .NET TimeSpan strings as host.json uses them: `hh:mm:ss[.fffffff]` or `d.hh:mm:ss[.f]`.

const TIME_SPAN = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/;

/** Milliseconds, or throws naming `what` when `text` is not a TimeSpan. */
export function parseTimeSpan(text: string, what: string): number {
  const m = TIME_SPAN.exec(text.trim());
  if (!m) throw new Error(`${what}: '${text}' is not a TimeSpan (expected hh:mm:ss or d.hh:mm:ss)`);
  const [, sign, days, hours, minutes, seconds, fraction] = m;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds ?? 0) > 59) {
    throw new Error(`${what}: '${text}' is out of range`);
  }
  const ms =
    ((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 +
    Number(seconds ?? 0) * 1000 +
    Math.round(Number(`0.${fraction ?? '0'}`) * 1000);
  return sign ? -ms : ms;
}
