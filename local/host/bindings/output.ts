import type { FunctionInfo, HostContext, InvocationResult, TypedData, BindingInfo } from '../contracts.js';
import { writeQueueOutput } from './queueOutput.js';

/** Writes a successful invocation's output bindings (return value and extraOutputs). */
export async function writeOutputBindings(
  fn: FunctionInfo,
  result: InvocationResult,
  ctx: Pick<HostContext, 'settings' | 'hostJson' | 'notifyQueueWrite' | 'logger'>,
): Promise<void> {
  const writes: { key: string; binding: BindingInfo; data: TypedData }[] = [];
  for (const { name, data } of result.outputData) {
    const binding = fn.bindings[name];
    if (!binding) throw new Error(`Function '${fn.name}': the invocation returned output '${name}', which is not one of its bindings`);
    writes.push({ key: name, binding, data });
  }
  const returnBinding = fn.bindings['$return'];
  if (returnBinding && result.returnValue !== undefined && returnBinding.type !== 'http') {
    writes.push({ key: '$return', binding: returnBinding, data: result.returnValue });
  }
  for (const { key, binding, data } of writes) {
    if (binding.type === 'queue') await writeQueueOutput(fn.name, binding, data, ctx);
    else if (binding.type !== 'http') {
      throw new Error(`Function '${fn.name}': output binding '${key}' has type '${binding.type}', which the local host does not support`);
    }
  }
}
