// The queue trigger's listener, one per function: polls with back-off, runs
// batches concurrently, wakes when this host writes to the queue, drains on stop.
import type { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import type { FunctionInfo, HostContext, InvocationResult, TriggerListener } from '../contracts.js';
import { queueServiceClientFor } from '../storage/connection.js';
import { MessageProcessor } from './messageProcessor.js';
import { readQueueOptions, type QueueOptions } from './options.js';
import { PollingBackoff } from './pollingBackoff.js';
import { resolveQueueName } from './queueName.js';
import { queueTriggerMetadata } from './triggerMetadata.js';

const LOG_CATEGORY = 'Host.Triggers.Queue';
const ADMIN_REASON = 'This function was programmatically called via the host APIs.';

/** Timings Azure fixes; tests shorten them. */
export interface QueueListenerTimings {
  /** Visibility of a received message while it runs (10 minutes in Azure). */
  visibilityMs?: number;
  /** How often a running message's visibility is renewed (about half of `visibilityMs`). */
  renewIntervalMs?: number;
  /** How long `stop()` waits for running invocations. */
  stopTimeoutMs?: number;
  /** Delays between empty polls; default the extension's back-off up to maxPollingInterval. */
  backoff?: Pick<PollingBackoff, 'next' | 'reset'>;
}

export class QueueTriggerListener implements TriggerListener {
  readonly queueName: string;
  private readonly options: QueueOptions;
  private readonly service: QueueServiceClient;
  private readonly queue: QueueClient;
  private readonly processor: MessageProcessor;
  private readonly backoff: Pick<PollingBackoff, 'next' | 'reset'>;
  private readonly visibilityMs: number;
  private readonly stopTimeoutMs: number;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly adminInFlight = new Set<Promise<unknown>>();
  private inFlightChanged: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private queueKnown = false;
  private wakeRequested = false;
  private wakeUp: (() => void) | undefined;
  private lastPollFailed = false;

  constructor(
    private readonly fn: FunctionInfo,
    private readonly ctx: HostContext,
    timings: QueueListenerTimings = {},
  ) {
    this.queueName = resolveQueueName(fn.trigger['queueName'], ctx.settings, fn.name);
    this.options = readQueueOptions(ctx.hostJson);
    this.service = queueServiceClientFor(fn.trigger['connection'] as string | undefined, ctx.settings);
    this.queue = this.service.getQueueClient(this.queueName);
    this.backoff = timings.backoff ?? new PollingBackoff(this.options.maxPollingIntervalMs);
    this.visibilityMs = timings.visibilityMs ?? 10 * 60_000;
    this.stopTimeoutMs = timings.stopTimeoutMs ?? 60_000;
    this.processor = new MessageProcessor({
      fn,
      ctx,
      queueName: this.queueName,
      service: this.service,
      queue: this.queue,
      options: this.options,
      visibilityMs: this.visibilityMs,
      renewIntervalMs: timings.renewIntervalMs ?? this.visibilityMs / 2,
      logCategory: LOG_CATEGORY,
    });
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    this.inFlightChanged?.();
    await this.loop;
    const drained = Promise.allSettled([...this.inFlight, ...this.adminInFlight]).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.stopTimeoutMs)));
    const finished = await Promise.race([drained, timedOut]);
    clearTimeout(timer);
    if (!finished) {
      this.ctx.logger.log(
        'warning',
        LOG_CATEGORY,
        `Queue listener for '${this.fn.name}' stopped with ${this.inFlight.size + this.adminInFlight.size} invocation(s) still running; their messages reappear when their visibility lapses.`,
      );
    }
  }

  /** Called (through the host's notifyQueueWrite) when this host wrote to some queue. */
  onQueueWrite(queueName: string): void {
    if (queueName.toLowerCase() === this.queueName) this.wake();
  }

  invokeFromAdmin(input: string): Promise<InvocationResult> {
    const invocation = this.ctx.invoke({
      functionName: this.fn.name,
      reason: ADMIN_REASON,
      inputData: [{ name: this.fn.triggerKey, data: { string: input } }],
      triggerMetadata: queueTriggerMetadata(this.fn.name, input, { dequeueCount: 0 }),
    });
    this.track(invocation, this.adminInFlight);
    return invocation;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const delayMs = await this.poll();
      if (delayMs > 0 && !this.stopped) await this.sleep(delayMs);
    }
  }

  /** One receive; returns how long to wait before the next (0 after a non-empty batch). */
  private async poll(): Promise<number> {
    try {
      if (!this.queueKnown) {
        if (!(await this.queue.exists())) return this.backoff.next();
        this.queueKnown = true;
      }
      const { receivedMessageItems: messages } = await this.queue.receiveMessages({
        numberOfMessages: this.options.batchSize,
        visibilityTimeout: Math.ceil(this.visibilityMs / 1000),
      });
      this.lastPollFailed = false;
      if (messages.length === 0) return this.backoff.next();
      this.backoff.reset();
      for (const message of messages) this.track(this.processor.process(message));
      await this.inFlightAtMost(this.options.newBatchThreshold);
      return 0;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) this.queueKnown = false;
      if (!this.lastPollFailed) {
        this.ctx.logger.log('warning', LOG_CATEGORY, `Queue '${this.queueName}' (function '${this.fn.name}'): polling failed, backing off: ${(error as Error).message}`);
      }
      this.lastPollFailed = true;
      return this.backoff.next();
    }
  }

  /** Admin invocations are tracked apart: they must not hold back fetching the next batch. */
  private track(work: Promise<unknown>, set = this.inFlight): void {
    const tracked = work.then(
      () => undefined,
      () => undefined,
    );
    set.add(tracked);
    void tracked.then(() => {
      set.delete(tracked);
      this.inFlightChanged?.();
    });
  }

  private async inFlightAtMost(limit: number): Promise<void> {
    while (this.inFlight.size > limit && !this.stopped) {
      await new Promise<void>((resolve) => (this.inFlightChanged = resolve));
    }
    this.inFlightChanged = undefined;
  }

  private wake(): void {
    this.backoff.reset();
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.wakeRequested = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
