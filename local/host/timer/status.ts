// The timer's schedule status ({Last, Next, LastUpdated}), which Azure keeps in a blob per timer;
// here a JSON file per function under the host's data folder.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from '../../shared/atomicFile.js';
import type { Schedule } from './schedule.js';

export interface ScheduleStatus {
  Last: string;
  Next: string;
  LastUpdated: string;
}

/** What .NET writes for a DateTime never set, used as `Last` before the first run. */
export const NEVER = '0001-01-01T00:00:00';

export class ScheduleStatusFile {
  readonly file: string;

  constructor(dataDir: string, functionName: string) {
    this.file = path.join(dataDir, 'timers', `${functionName}.json`);
  }

  async read(): Promise<ScheduleStatus | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const value = JSON.parse(text) as Partial<ScheduleStatus>;
      if (typeof value.Last === 'string' && typeof value.Next === 'string' && typeof value.LastUpdated === 'string') {
        return { Last: value.Last, Next: value.Next, LastUpdated: value.LastUpdated };
      }
    } catch {
      // A damaged file is treated like a missing one, as the host does with an unreadable blob.
    }
    return undefined;
  }

  async write(status: ScheduleStatus): Promise<void> {
    await writeJsonAtomic(this.file, status);
  }
}

/**
 * Whether a run was missed while no host was running, as the host's schedule monitor decides:
 * the stored Next has passed, or the schedule (which may have changed since) gives an earlier
 * occurrence after the last run that has passed.
 */
export function isPastDue(stored: ScheduleStatus, schedule: Pick<Schedule, 'next'>, now: Date): boolean {
  let next = Date.parse(stored.Next);
  const since = Date.parse(stored.Last === NEVER ? stored.LastUpdated : stored.Last);
  if (!Number.isNaN(since)) {
    const expected = schedule.next(new Date(since)).getTime();
    if (Number.isNaN(next) || expected < next) next = expected;
  }
  return next < now.getTime();
}
