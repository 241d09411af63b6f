// Timer schedules as the Functions timer extension reads them: NCRONTAB with 6
// fields (seconds first) or 5, day-of-month AND day-of-week, or a TimeSpan interval "hh:mm:ss".
// NCRONTAB is validated and normalised here; croner then computes occurrences in the time zone.
import { Cron } from 'croner';
import { formatTimeSpan, parseTimeSpan } from '../dotnetTime.js';

export interface Schedule {
  /** As the host prints it: "Cron: '0 0 * * * *'" or "Constant: 00:00:10". */
  readonly description: string;
  /** The first occurrence strictly after `after`. */
  next(after: Date): Date;
  /** Monitoring is switched off for such schedules. */
  readonly firesMoreThanOncePerMinute: boolean;
}

interface Field {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const FIELDS: Field[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 6, names: DAYS },
];
const ITEM = /^(\*|[a-z0-9]+)(?:-([a-z0-9]+))?(?:\/(\d+))?$/i;

/** Parses a schedule (already `%SETTING%`-resolved); `timeZone` is an IANA zone, local time when absent. */
export function parseSchedule(text: string, timeZone?: string): Schedule {
  const trimmed = text.trim();
  if (!/\s/.test(trimmed) && trimmed.includes(':')) return constantSchedule(trimmed);
  return cronSchedule(trimmed, timeZone);
}

function constantSchedule(text: string): Schedule {
  const intervalMs = parseTimeSpan(text, 'Timer schedule');
  if (intervalMs <= 0) throw new Error(`Timer schedule '${text}': the interval must be positive`);
  return {
    description: `Constant: ${formatTimeSpan(intervalMs)}`,
    next: (after) => new Date(after.getTime() + intervalMs),
    firesMoreThanOncePerMinute: intervalMs < 60_000,
  };
}

function cronSchedule(text: string, timeZone: string | undefined): Schedule {
  const parts = text.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) {
    throw new Error(`Timer schedule '${text}' is neither a TimeSpan ("hh:mm:ss") nor an NCRONTAB expression with 5 or 6 fields`);
  }
  const fields = parts.length === 5 ? ['0', ...parts] : parts;
  const normalised = fields.map((part, i) => normaliseField(part, FIELDS[i]!, text)).join(' ');
  let cron: Cron;
  try {
    cron = new Cron(normalised, { mode: '6-part', domAndDow: true, ...(timeZone ? { timezone: timeZone } : {}) });
  } catch (error) {
    throw new Error(`Timer schedule '${text}' is not a valid NCRONTAB expression: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const next = (after: Date): Date => {
    const found = cron.nextRun(after);
    if (!found) throw new Error(`Timer schedule '${text}' has no occurrence after ${after.toISOString()}`);
    return found;
  };
  const first = next(new Date());
  const second = next(first);
  const third = next(second);
  return {
    description: `Cron: '${text}'`,
    next,
    firesMoreThanOncePerMinute: second.getTime() - first.getTime() < 60_000 || third.getTime() - second.getTime() < 60_000,
  };
}

/** NCRONTAB field → croner syntax: names become numbers, `a/n` becomes `a-max/n`; anything else NCRONTAB lacks is refused. */
function normaliseField(part: string, field: Field, text: string): string {
  const fail = (why: string) => new Error(`Timer schedule '${text}': ${field.name} '${part}' ${why}`);
  return part
    .split(',')
    .map((item) => {
      const match = ITEM.exec(item);
      if (!match) throw fail('is not valid NCRONTAB (use numbers, names, *, a-b, a,b and /n; L, W, # and ? are not supported)');
      const [, start = '', end, step] = match;
      if (step !== undefined && Number(step) < 1) throw fail('has a step below 1');
      if (start === '*') {
        if (end !== undefined) throw fail('is not valid NCRONTAB');
        return step !== undefined ? `*/${Number(step)}` : '*';
      }
      const from = fieldValue(start, field, fail);
      const to = end !== undefined ? fieldValue(end, field, fail) : step !== undefined ? field.max : undefined;
      if (to === undefined) return String(from);
      if (to < from) throw fail(`has a range that runs backwards`);
      return `${from}-${to}${step !== undefined ? `/${Number(step)}` : ''}`;
    })
    .join(',');
}

function fieldValue(token: string, field: Field, fail: (why: string) => Error): number {
  let value: number;
  if (/^\d+$/.test(token)) value = Number(token);
  else {
    // NCRONTAB takes the first English name the token is a prefix of, in any case.
    const index = field.names?.findIndex((name) => name.toLowerCase().startsWith(token.toLowerCase())) ?? -1;
    if (index < 0) throw fail(`has an unknown value '${token}'`);
    value = index + field.min;
  }
  if (value < field.min || value > field.max) throw fail(`is out of range (${field.min}-${field.max})`);
  return value;
}
