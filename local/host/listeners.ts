import type { FunctionInfo, HostContext, TriggerListener } from './contracts.js';
import { QueueTriggerListener } from './queue/listener.js';
import { TimerTriggerListener } from './timer/listener.js';

/** The listener for a non-HTTP trigger; throws naming the trigger type when it is not supported. */
export function createTriggerListener(fn: FunctionInfo, ctx: HostContext): TriggerListener {
  switch (fn.trigger.type) {
    case 'queueTrigger':
      return new QueueTriggerListener(fn, ctx);
    case 'timerTrigger':
      return new TimerTriggerListener(fn, ctx);
    default:
      throw new Error(`Function '${fn.name}': trigger type '${fn.trigger.type}' is not supported by the local host`);
  }
}
