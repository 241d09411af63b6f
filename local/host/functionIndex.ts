// Turns what the app registered into the host's FunctionInfo list.
import type { AppSettings, FunctionInfo, HostJson } from './contracts.js';
import type { RegisteredFunction } from './worker/protocol.js';

const FUNCTION_NAME = /^[a-z][a-z0-9_-]{0,127}$/i;

export function indexFunctions(registered: readonly RegisteredFunction[], hostJson: HostJson): FunctionInfo[] {
  const allowList = hostJson.functions?.map((n) => n.toLowerCase());
  const functions: FunctionInfo[] = [];
  for (const fn of registered) {
    if (allowList && !allowList.includes(fn.name.toLowerCase())) continue;
    if (!FUNCTION_NAME.test(fn.name) || fn.name.toLowerCase() === 'host') {
      throw new Error(
        `'${fn.name}' is not a valid function name: it must start with a letter, contain only letters, digits, '_' and '-', and have at most 128 characters ('host' is reserved)`,
      );
    }
    const triggers = Object.entries(fn.bindings).filter(([, b]) => b.type.toLowerCase().endsWith('trigger'));
    const [trigger, ...more] = triggers;
    if (!trigger || more.length > 0) throw new Error(`Function '${fn.name}' must have exactly one trigger binding`);
    functions.push({
      name: fn.name,
      bindings: fn.bindings,
      triggerKey: trigger[0],
      trigger: trigger[1],
      ...(fn.retryOptions !== undefined ? { retryOptions: fn.retryOptions } : {}),
    });
  }
  return functions;
}

export function isHttpFunction(fn: FunctionInfo): boolean {
  return fn.trigger.type.toLowerCase() === 'httptrigger';
}

/** `AzureWebJobs.<name>.Disabled` = true/1. */
export function isDisabled(fn: FunctionInfo, settings: AppSettings): boolean {
  const value = settings.get(`AzureWebJobs.${fn.name}.Disabled`) ?? settings.get(`AzureWebJobs__${fn.name}__Disabled`);
  return value !== undefined && /^(true|1)$/i.test(value.trim());
}
