// The timer trigger's listener: one run at a time, past-due detection from the
// stored schedule status, runOnStartup, function-level retry.
import path from 'node:path';
import type { FunctionInfo, HostContext, InvocationRequest, InvocationResult, TriggerListener } from '../contracts.js';
import { formatDateTimeOffset } from '../dotnetTime.js';
import { readRetryPolicy, type RetryPolicy } from './retryPolicy.js';
import { parseSchedule, type Schedule } from './schedule.js';
import { TimerSingletonLock } from './singletonLock.js';
import { isPastDue, NEVER, ScheduleStatusFile, type ScheduleStatus } from './status.js';
import { timerInput } from './timerInput.js';

const LOG_CATEGORY = 'Host.Triggers.Timer';
const ADMIN_REASON = 'This function was programmatically called via the host APIs.';
// setTimeout cannot wait longer than this in one go.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface TimerListenerTimings {
  /** How long `stop()` waits for a running invocation. */
  stopTimeoutMs?: number;
  /** How often a host that found the timer locked by another host tries again. */
  lockRetryMs?: number;
}

export class TimerTriggerListener implements TriggerListener {
  readonly schedule: Schedule;
  readonly useMonitor: boolean;
  private readonly runOnStartup: boolean;
  private readonly retry: RetryPolicy | undefined;
  private readonly statusFile: ScheduleStatusFile;
  private readonly stopTimeoutMs: number;
  private readonly lockRetryMs: number;
  private readonly lock: TimerSingletonLock;
  private status: ScheduleStatus | null = null;
  private loop: Promise<void> | undefined;
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;
  private cancelWait: (() => void) | undefined;

  constructor(
    private readonly fn: FunctionInfo,
    private readonly ctx: HostContext,
    timings: TimerListenerTimings = {},
  ) {
    const raw = fn.trigger['schedule'];
    if (typeof raw !== 'string' || !raw.trim()) throw new Error(`Function '${fn.name}': a timer trigger needs a 'schedule'`);
    const timeZone = ctx.settings.get('WEBSITE_TIME_ZONE')?.trim() || undefined;
    if (timeZone) assertTimeZone(timeZone);
    try {
      this.schedule = parseSchedule(ctx.settings.resolve(raw), timeZone);
    } catch (error) {
      throw new Error(`Function '${fn.name}': ${(error as Error).message}`, { cause: error });
    }
    this.useMonitor = fn.trigger['useMonitor'] !== false && !this.schedule.firesMoreThanOncePerMinute;
    this.runOnStartup = fn.trigger['runOnStartup'] === true;
    this.retry = readRetryPolicy(fn.retryOptions, fn.name);
    this.statusFile = new ScheduleStatusFile(ctx.dataDir, fn.name);
    this.stopTimeoutMs = timings.stopTimeoutMs ?? 60_000;
    this.lockRetryMs = timings.lockRetryMs ?? 15_000;
    this.lock = new TimerSingletonLock(path.join(ctx.dataDir, 'timers', `${fn.name}.lock`));
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.logNextOccurrences(5);
    const holder = await this.lock.acquire();
    if (holder === undefined) {
      this.loop = this.run(await this.firstRun());
      return;
    }
    this.ctx.logger.log(
      'information',
      LOG_CATEGORY,
      `Timer '${this.fn.name}' is run by another host process${holder > 0 ? ` (pid ${holder})` : ''} sharing ${this.ctx.dataDir}; this host takes over when that one stops.`,
    );
    this.loop = this.runWhenUnlocked();
  }

  private async runWhenUnlocked(): Promise<void> {
    while (!this.stopped) {
      await this.waitUntil(new Date(Date.now() + this.lockRetryMs));
      if (this.stopped) return;
      if ((await this.lock.acquire()) === undefined) return this.run(await this.firstRun());
    }
  }

  /** When the first run is due: at once if past due (which wins) or runOnStartup, else the next occurrence. */
  private async firstRun(): Promise<{ due: Date; isPastDue: boolean }> {
    const now = new Date();
    let missed = false;
    if (this.useMonitor) {
      const stored = await this.statusFile.read();
      missed = stored !== undefined && isPastDue(stored, this.schedule, now);
      this.status = stored ?? (await this.saveStatus(NEVER, this.schedule.next(now)));
    }
    return { due: missed || this.runOnStartup ? now : this.schedule.next(now), isPastDue: missed };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelWait?.();
    const drained = Promise.allSettled([this.loop, ...this.running]).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.stopTimeoutMs)));
    const finished = await Promise.race([drained, timedOut]);
    clearTimeout(timer);
    if (!finished) {
      this.ctx.logger.log('warning', LOG_CATEGORY, `Timer '${this.fn.name}' stopped while its invocation was still running.`);
    }
    await this.lock.release();
  }

  invokeFromAdmin(_input: string): Promise<InvocationResult> {
    const invocation = (async () => {
      const status = this.useMonitor ? ((await this.statusFile.read()) ?? this.status) : null;
      return this.ctx.invoke(this.request(ADMIN_REASON, status, false));
    })();
    this.track(invocation);
    return invocation;
  }

  private async run(first: { due: Date; isPastDue: boolean }): Promise<void> {
    let { due, isPastDue } = first;
    while (!this.stopped) {
      await this.waitUntil(due);
      if (this.stopped) return;
      const run = this.fire(due, isPastDue);
      this.track(run);
      try {
        await run;
      } catch (error) {
        // Only the status file can fail here; the schedule goes on regardless.
        this.ctx.logger.log('error', LOG_CATEGORY, `Timer '${this.fn.name}': ${(error as Error).message}`);
      }
      isPastDue = false;
      const next = this.schedule.next(due);
      // A run that overshot its successor is followed by one run now, never by a backlog.
      due = next.getTime() <= Date.now() ? new Date() : next;
    }
  }

  private async fire(scheduled: Date, isPastDue: boolean): Promise<void> {
    const reason = `Timer fired at ${formatDateTimeOffset(new Date())}`;
    const result = await this.invokeWithRetries(reason, isPastDue);
    if (!result.succeeded) {
      this.ctx.logger.log(
        'error',
        `Function.${this.fn.name}`,
        `Timer function '${this.fn.name}' failed: ${result.error?.message ?? 'unknown error'}. The schedule continues.`,
      );
    }
    if (this.useMonitor) this.status = await this.saveStatus(formatDateTimeOffset(scheduled), this.schedule.next(scheduled));
  }

  private async invokeWithRetries(reason: string, isPastDue: boolean): Promise<InvocationResult> {
    let lastError: { message: string } | undefined;
    for (let retryCount = 0; ; retryCount++) {
      const request = this.request(reason, this.useMonitor ? this.status : null, isPastDue);
      if (this.retry) {
        request.retryContext = {
          retryCount,
          maxRetryCount: this.retry.maxRetryCount,
          ...(lastError ? { exception: lastError } : {}),
        };
      }
      const result = await this.ctx.invoke(request).catch((error: unknown): InvocationResult => ({
        invocationId: '',
        succeeded: false,
        error: { message: (error as Error).message },
        outputData: [],
      }));
      if (result.succeeded || !this.retry || this.stopped) return result;
      if (this.retry.maxRetryCount !== -1 && retryCount >= this.retry.maxRetryCount) return result;
      lastError = result.error ?? { message: 'The function failed.' };
      const delayMs = this.retry.delayMs(retryCount + 1);
      this.ctx.logger.log(
        'information',
        `Function.${this.fn.name}`,
        `Waiting for ${delayMs} ms before retrying function execution. Next attempt: '${retryCount + 1}'. Max retry count: '${this.retry.maxRetryCount}'.`,
      );
      await this.waitUntil(new Date(Date.now() + delayMs));
      if (this.stopped) return result;
    }
  }

  private request(reason: string, status: ScheduleStatus | null, isPastDue: boolean): InvocationRequest {
    return {
      functionName: this.fn.name,
      reason,
      inputData: [{ name: this.fn.triggerKey, data: timerInput(status, isPastDue) }],
    };
  }

  private async saveStatus(last: string, next: Date): Promise<ScheduleStatus> {
    const status = { Last: last, Next: formatDateTimeOffset(next), LastUpdated: formatDateTimeOffset(new Date()) };
    await this.statusFile.write(status);
    return status;
  }

  private logNextOccurrences(count: number): void {
    const lines: string[] = [];
    for (let at = new Date(), i = 0; i < count; i++) {
      at = this.schedule.next(at);
      lines.push(at.toISOString());
    }
    this.ctx.logger.log(
      'information',
      LOG_CATEGORY,
      `The next ${count} occurrences of the '${this.fn.name}' schedule (${this.schedule.description}) will be:\n${lines.join('\n')}`,
    );
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(tracked);
    void tracked.then(() => this.running.delete(tracked));
  }

  private async waitUntil(due: Date): Promise<void> {
    while (!this.stopped) {
      const remaining = due.getTime() - Date.now();
      if (remaining <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(remaining, MAX_TIMEOUT_MS));
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.cancelWait = done;
      });
      this.cancelWait = undefined;
    }
  }
}

function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new Error(`WEBSITE_TIME_ZONE '${timeZone}' is not an IANA time zone (e.g. 'Europe/Berlin'); Windows zone ids are not supported by the local host`);
  }
}
