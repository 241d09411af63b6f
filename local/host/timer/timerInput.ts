// The timer trigger's input as the host sends it; the app's library camel-cases it.
import type { TypedData } from '../contracts.js';
import type { ScheduleStatus } from './status.js';

export function timerInput(status: ScheduleStatus | null, isPastDue: boolean): TypedData {
  return {
    json: JSON.stringify({ Schedule: { AdjustForDST: true }, ScheduleStatus: status, IsPastDue: isPastDue }),
  };
}
