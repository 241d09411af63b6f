// Parent side of the worker child process: start, invoke over IPC, functionTimeout with restart
// (like Azure, which recycles the worker when an invocation times out), graceful terminate.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import type { InvocationRequest, InvocationResult } from './contracts.js';
import { formatLine, type ConsoleLogger } from './logging.js';
import type { HostToWorker, RegisteredFunction, WorkerToHost } from './worker/protocol.js';

const WORKER_ENTRY = fileURLToPath(new URL('./worker/main.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
const WORKER_CATEGORY = 'Host.Function.Console';

interface Pending {
  functionName: string;
  resolve: (result: InvocationResult) => void;
  timer?: NodeJS.Timeout;
}

export interface WorkerProcessOptions {
  appDir: string;
  env: Record<string, string>;
  logger: ConsoleLogger;
  /** `undefined` = no limit. */
  functionTimeoutMs: number | undefined;
  functionTimeoutText: string;
}

export class WorkerProcess {
  readonly #options: WorkerProcessOptions;
  readonly #pending = new Map<string, Pending>();
  #child: ChildProcess | undefined;
  #ready: Promise<RegisteredFunction[]> = Promise.reject(new Error('worker not started'));
  #stopping = false;

  constructor(options: WorkerProcessOptions) {
    this.#options = options;
    this.#ready.catch(() => undefined);
  }

  /** Starts the worker and resolves with the functions the app registered. */
  start(): Promise<RegisteredFunction[]> {
    this.#ready = this.#spawn();
    this.#ready.catch(() => undefined);
    return this.#ready;
  }

  async invoke(invocationId: string, request: InvocationRequest): Promise<InvocationResult> {
    try {
      await this.#ready;
    } catch (err) {
      return failure(invocationId, `The worker process is not available: ${(err as Error).message}`);
    }
    const child = this.#child;
    if (!child?.connected) return failure(invocationId, 'The worker process is not running');
    return new Promise<InvocationResult>((resolve) => {
      const pending: Pending = { functionName: request.functionName, resolve };
      const timeoutMs = this.#options.functionTimeoutMs;
      if (timeoutMs !== undefined) {
        pending.timer = setTimeout(() => this.#onTimeout(invocationId, pending), timeoutMs);
      }
      this.#pending.set(invocationId, pending);
      child.send({ type: 'invoke', invocationId, request } satisfies HostToWorker);
    });
  }

  /** Runs the app's appTerminate hooks (bounded by `timeoutMs`) and ends the worker. */
  async terminate(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.connected) {
      const terminated = new Promise<void>((resolve) => {
        child.on('message', (m: WorkerToHost) => m.type === 'terminated' && resolve());
      });
      child.send({ type: 'terminate' } satisfies HostToWorker);
      await Promise.race([terminated, exited, delay(timeoutMs)]);
      if (child.connected) child.disconnect();
    }
    await Promise.race([exited, delay(2000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }

  /** Immediate stop (start-up failure): no hooks. */
  kill(): void {
    this.#stopping = true;
    this.#child?.kill('SIGKILL');
  }

  #spawn(): Promise<RegisteredFunction[]> {
    const { appDir, env, logger } = this.#options;
    const child = fork(WORKER_ENTRY, [appDir], {
      cwd: appDir,
      env,
      execArgv: ['--import', TSX_LOADER],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.#child = child;
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => logger.writeRaw(formatLine(line)));
    }
    return new Promise<RegisteredFunction[]>((resolve, reject) => {
      let indexed = false;
      child.on('message', (message: WorkerToHost) => {
        switch (message.type) {
          case 'result':
            this.#settle(message.result.invocationId, message.result);
            break;
          case 'log': {
            const category = message.functionName
              ? message.category === 'user'
                ? `Function.${message.functionName}.User`
                : `Function.${message.functionName}`
              : WORKER_CATEGORY;
            logger.log(message.level, category, message.message);
            break;
          }
          case 'indexed':
            indexed = true;
            resolve(message.functions);
            break;
          case 'startFailed':
            reject(new Error(message.message));
            break;
        }
      });
      child.on('error', (err) => reject(err));
      child.on('exit', (code, signal) => {
        if (this.#child !== child) return;
        const reason = signal ? `signal ${signal}` : `exit code ${code}`;
        if (!indexed) reject(new Error(`The worker process exited during start-up (${reason})`));
        this.#failAll(`The worker process exited (${reason})`);
        if (indexed && !this.#stopping) {
          logger.log('error', 'Host.General', `The worker process exited unexpectedly (${reason}); restarting it.`);
          this.#restart();
        }
      });
    });
  }

  #onTimeout(invocationId: string, pending: Pending): void {
    const { logger, functionTimeoutText } = this.#options;
    this.#settle(invocationId, failure(invocationId, `Timeout value of ${functionTimeoutText} was exceeded by function: Functions.${pending.functionName}`));
    logger.log('error', 'Host.General', `A function timeout has occurred. Host is shutting down and restarting the worker process.`);
    this.#restart();
  }

  #restart(): void {
    const old = this.#child;
    this.#child = undefined;
    this.#failAll('The worker process was restarted after a function timeout');
    old?.kill('SIGKILL');
    if (this.#stopping) return;
    this.#ready = this.#spawn();
    this.#ready.then(
      () => this.#options.logger.log('information', 'Host.General', 'Worker process restarted.'),
      (err: Error) => this.#options.logger.log('error', 'Host.General', `The worker process failed to restart: ${err.message}`),
    );
  }

  #settle(invocationId: string, result: InvocationResult): void {
    const pending = this.#pending.get(invocationId);
    if (!pending) return;
    this.#pending.delete(invocationId);
    if (pending.timer) clearTimeout(pending.timer);
    pending.resolve(result);
  }

  #failAll(message: string): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id, failure(id, message));
  }
}

function failure(invocationId: string, message: string): InvocationResult {
  return { invocationId, succeeded: false, error: { message }, outputData: [] };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
