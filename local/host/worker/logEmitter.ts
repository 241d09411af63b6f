// Every log line from the app or the library passes the app's `log` hooks (which may rewrite level
// and message) before it is sent to the host, as in the Node worker ≥ 3.10.
import type { LogLevel } from '../contracts.js';
import type { CoreRegistry } from './coreModule.js';
import type { WorkerLogCategory } from './protocol.js';

export type EmitLog = (level: LogLevel, category: WorkerLogCategory, message: string, invocation?: { functionName: string; context: unknown }) => void;

export function createLogEmitter(
  registry: CoreRegistry,
  appHookData: Record<string, unknown>,
  send: (level: LogLevel, category: WorkerLogCategory, message: string, functionName?: string) => void,
): EmitLog {
  let inLogHook = false;
  return (level, category, message, invocation) => {
    const hooks = registry.hooks.log;
    if (hooks.length > 0 && !inLogHook) {
      const hookContext = {
        level,
        category,
        message,
        invocationContext: invocation?.context,
        hookData: {},
        appHookData,
      };
      inLogHook = true;
      try {
        for (const hook of hooks) void hook(hookContext);
      } catch (err) {
        send('error', 'system', `Log hook failed: ${String(err)}`, invocation?.functionName);
      } finally {
        inLogHook = false;
      }
      level = hookContext.level;
      message = hookContext.message;
    }
    send(level, category, message, invocation?.functionName);
  };
}
