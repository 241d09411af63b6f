import type { FunctionInfo, HostContext, InvocationResult } from '../contracts.js';

/** Writes a successful invocation's output bindings (return value and extraOutputs). */
export async function writeOutputBindings(
  fn: FunctionInfo,
  result: InvocationResult,
  _ctx: Pick<HostContext, 'settings' | 'hostJson' | 'notifyQueueWrite' | 'logger'>,
): Promise<void> {
  const outputs = Object.entries(fn.bindings).filter(([, b]) => b.direction === 'out' && b.type !== 'http');
  if (outputs.length > 0 && (result.outputData.length > 0 || result.returnValue)) {
    throw new Error(`Function '${fn.name}': output bindings are not supported yet`);
  }
}
