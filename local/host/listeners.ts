import type { FunctionInfo, HostContext, TriggerListener } from './contracts.js';

/** The listener for a non-HTTP trigger; throws naming the trigger type when it is not supported. */
export function createTriggerListener(fn: FunctionInfo, _ctx: HostContext): TriggerListener {
  throw new Error(`Function '${fn.name}': trigger type '${fn.trigger.type}' is not supported yet`);
}
