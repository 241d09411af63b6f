// One invocation, exactly as the Node worker's invocation handler runs it.
import type { InvocationRequest, InvocationResult, TypedData } from '../contracts.js';
import type { CoreRegistry, FunctionCallback } from './coreModule.js';
import type { EmitLog } from './logEmitter.js';

type CoreState = 'preInvocationHooks' | 'invocation' | 'postInvocationHooks' | undefined;

export async function runInvocation(
  registry: CoreRegistry,
  appHookData: Record<string, unknown>,
  emitLog: EmitLog,
  invocationId: string,
  request: InvocationRequest,
): Promise<InvocationResult> {
  const failed = (err: unknown): InvocationResult => ({
    invocationId,
    succeeded: false,
    error: { message: err instanceof Error ? (err.stack ?? err.message) : String(err) },
    outputData: [],
  });
  try {
    const entry = registry.functions.get(request.functionName);
    const model = registry.programmingModel;
    if (!entry || !model) throw new Error(`Function '${request.functionName}' is not registered in the worker`);

    const invocation = { functionName: request.functionName, context: undefined as unknown };
    const coreCtx = {
      invocationId,
      request: {
        invocationId,
        functionId: request.functionName,
        inputData: request.inputData,
        triggerMetadata: request.triggerMetadata,
        retryContext: request.retryContext,
      },
      metadata: entry.metadata,
      state: undefined as CoreState,
      log: (level: Parameters<EmitLog>[0], category: Parameters<EmitLog>[1], message: string) => emitLog(level, category, message, invocation),
    };

    const invocationModel = model.getInvocationModel(coreCtx);
    const { context, inputs } = await invocationModel.getArguments();
    invocation.context = context;

    const pre = { hookData: {}, appHookData, invocationContext: context, inputs, functionCallback: entry.callback };
    coreCtx.state = 'preInvocationHooks';
    try {
      for (const hook of registry.hooks.preInvocation) await hook(pre);
    } finally {
      coreCtx.state = undefined;
    }

    const post = {
      hookData: pre.hookData,
      appHookData,
      invocationContext: context,
      inputs: pre.inputs,
      result: null as unknown,
      error: null as unknown,
    };
    coreCtx.state = 'invocation';
    try {
      post.result = await invocationModel.invokeFunction(context, pre.inputs, pre.functionCallback as FunctionCallback);
    } catch (err) {
      post.error = err;
    } finally {
      coreCtx.state = undefined;
    }

    coreCtx.state = 'postInvocationHooks';
    try {
      for (const hook of registry.hooks.postInvocation) await hook(post);
    } finally {
      coreCtx.state = undefined;
    }

    if (post.error) throw post.error;
    const response = await invocationModel.getResponse(context, post.result);
    const result: InvocationResult = {
      invocationId,
      succeeded: true,
      outputData: (response.outputData ?? []) as InvocationResult['outputData'],
    };
    if (response.returnValue !== undefined && response.returnValue !== null) {
      result.returnValue = response.returnValue as TypedData;
    }
    return result;
  } catch (err) {
    return failed(err);
  }
}
