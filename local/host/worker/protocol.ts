// Messages between the host process and its worker child (Node IPC, advanced serialization so
// Buffers and Uint8Arrays travel as they are).
import type { BindingInfo, InvocationRequest, InvocationResult, LogLevel } from '../contracts.js';

/** What the worker learnt from `registerFunction`, as the host needs it for indexing. */
export interface RegisteredFunction {
  name: string;
  bindings: Record<string, BindingInfo>;
  retryOptions?: unknown;
}

export type HostToWorker =
  | { type: 'invoke'; invocationId: string; request: InvocationRequest }
  /** Graceful shutdown: run appTerminate hooks, answer `terminated`, then exit. */
  | { type: 'terminate' };

export type WorkerToHost =
  | { type: 'indexed'; functions: RegisteredFunction[] }
  | { type: 'startFailed'; message: string }
  | { type: 'result'; result: InvocationResult }
  | { type: 'log'; level: LogLevel; category: WorkerLogCategory; message: string; functionName?: string }
  | { type: 'terminated' };

/** `user` = context.log from the app, `system` = the library's own messages. */
export type WorkerLogCategory = 'user' | 'system';
