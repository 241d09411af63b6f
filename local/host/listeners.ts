import type { FunctionInfo, HostContext, TriggerListener } from './contracts.js';
import { QueueTriggerListener } from './queue/listener.js';
import { TimerTriggerListener } from './timer/listener.js';

/**
 * Local-only setting (Azure has no such knob): how long a received message stays invisible while
 * its invocation runs. Azure uses 10 minutes, which is also how long messages of a killed host
 * stay hidden; crash tests shorten it.
 */
export const QUEUE_LEASE_SETTING = 'LOCAL_HOST_QUEUE_MESSAGE_LEASE_SECONDS';

function queueTimings(ctx: HostContext): { visibilityMs?: number } {
  const value = ctx.settings.get(QUEUE_LEASE_SETTING);
  if (value === undefined || value === '') return {};
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 7 * 24 * 3600) {
    throw new Error(`${QUEUE_LEASE_SETTING} must be a whole number of seconds from 1 to 604800, not '${value}'`);
  }
  return { visibilityMs: seconds * 1000 };
}

/** The listener for a non-HTTP trigger; throws naming the trigger type when it is not supported. */
export function createTriggerListener(fn: FunctionInfo, ctx: HostContext): TriggerListener {
  switch (fn.trigger.type) {
    case 'queueTrigger':
      return new QueueTriggerListener(fn, ctx, queueTimings(ctx));
    case 'timerTrigger':
      return new TimerTriggerListener(fn, ctx);
    default:
      throw new Error(`Function '${fn.name}': trigger type '${fn.trigger.type}' is not supported by the local host`);
  }
}
