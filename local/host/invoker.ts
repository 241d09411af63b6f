// The host's Invoke: "Executing/Executed" lines, the worker round trip and the output bindings.
// Tracks in-flight invocations so that shutdown can drain them.
import { randomUUID } from 'node:crypto';
import { writeOutputBindings } from './bindings/output.js';
import type { FunctionInfo, HostContext, InvocationRequest, InvocationResult } from './contracts.js';
import type { ConsoleLogger } from './logging.js';
import type { WorkerProcess } from './workerProcess.js';

export class Invoker {
  readonly #worker: WorkerProcess;
  readonly #functions: Map<string, FunctionInfo>;
  readonly #logger: ConsoleLogger;
  readonly #outputContext: Pick<HostContext, 'settings' | 'hostJson' | 'notifyQueueWrite' | 'logger'>;
  #inFlight = 0;
  #idle: (() => void)[] = [];

  constructor(
    worker: WorkerProcess,
    functions: readonly FunctionInfo[],
    logger: ConsoleLogger,
    outputContext: Pick<HostContext, 'settings' | 'hostJson' | 'notifyQueueWrite' | 'logger'>,
  ) {
    this.#worker = worker;
    this.#functions = new Map(functions.map((fn) => [fn.name, fn]));
    this.#logger = logger;
    this.#outputContext = outputContext;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  readonly invoke = async (request: InvocationRequest): Promise<InvocationResult> => {
    const fn = this.#functions.get(request.functionName);
    const invocationId = randomUUID();
    if (!fn) {
      return { invocationId, succeeded: false, error: { message: `Unknown function '${request.functionName}'` }, outputData: [] };
    }
    const category = `Function.${fn.name}`;
    const started = performance.now();
    this.#inFlight++;
    try {
      // Checked first so that the hot HTTP path does not format lines nobody will see.
      const logInfo = this.#logger.isEnabled('information', category);
      if (logInfo) {
        this.#logger.log('information', category, `Executing 'Functions.${fn.name}' (Reason='${request.reason}', Id=${invocationId})`);
      }
      let result = await this.#worker.invoke(invocationId, request);
      if (result.succeeded) {
        try {
          await writeOutputBindings(fn, result, this.#outputContext);
        } catch (err) {
          result = { ...result, succeeded: false, error: { message: (err as Error).message } };
        }
      }
      const duration = Math.round(performance.now() - started);
      if (result.succeeded) {
        if (logInfo) this.#logger.log('information', category, `Executed 'Functions.${fn.name}' (Succeeded, Id=${invocationId}, Duration=${duration}ms)`);
      } else {
        this.#logger.log('error', category, `Executed 'Functions.${fn.name}' (Failed, Id=${invocationId}, Duration=${duration}ms)`);
        this.#logger.log('error', category, `Exception while executing function: Functions.${fn.name}. ${result.error?.message ?? 'unknown error'}`);
      }
      return result;
    } finally {
      if (--this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
    }
  };

  /** Resolves once nothing is in flight, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.#inFlight === 0) return;
    await Promise.race([new Promise<void>((resolve) => this.#idle.push(resolve)), new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }
}
