// One received queue message from receipt to completion.
import type { QueueClient, QueueServiceClient, DequeuedMessageItem } from '@azure/storage-queue';
import type { FunctionInfo, HostContext, InvocationRequest } from '../contracts.js';
import { decodeMessageText } from './messageEncoding.js';
import type { QueueOptions } from './options.js';
import { copyToPoisonQueue } from './poison.js';
import { queueTriggerMetadata } from './triggerMetadata.js';

export interface MessageProcessorSetup {
  fn: FunctionInfo;
  ctx: HostContext;
  queueName: string;
  service: QueueServiceClient;
  queue: QueueClient;
  options: QueueOptions;
  /** Visibility a received message gets, renewed while it runs (10 minutes in Azure). */
  visibilityMs: number;
  renewIntervalMs: number;
  logCategory: string;
}

function queueReason(queueName: string): string {
  return `New queue message detected on '${queueName}'.`;
}

export class MessageProcessor {
  constructor(private readonly setup: MessageProcessorSetup) {}

  async process(message: DequeuedMessageItem): Promise<void> {
    const { options, ctx, logCategory } = this.setup;
    if (message.dequeueCount > options.maxDequeueCount) {
      await this.poison(message, message.popReceipt);
      return;
    }
    const text = decodeMessageText(message.messageText, options.messageEncoding);
    if (text === undefined) {
      ctx.logger.log('warning', logCategory, `Message decoding has failed! Check MessageEncoding settings. MessageId=${message.messageId}.`);
      await this.poison(message, message.popReceipt);
      return;
    }

    const lease = new VisibilityLease(this.setup, message);
    let succeeded: boolean;
    try {
      succeeded = await this.invoke(text, message);
    } finally {
      await lease.end();
    }
    if (succeeded) {
      await this.settle('delete', () => this.setup.queue.deleteMessage(message.messageId, lease.popReceipt));
    } else if (message.dequeueCount >= options.maxDequeueCount) {
      await this.poison(message, lease.popReceipt);
    } else {
      const seconds = Math.ceil(options.visibilityTimeoutMs / 1000);
      await this.settle('release', () => this.setup.queue.updateMessage(message.messageId, lease.popReceipt, undefined, seconds));
    }
  }

  private async invoke(text: string, message: DequeuedMessageItem): Promise<boolean> {
    const { fn, ctx, queueName } = this.setup;
    const request: InvocationRequest = {
      functionName: fn.name,
      reason: queueReason(queueName),
      inputData: [{ name: fn.triggerKey, data: { string: text } }],
      triggerMetadata: queueTriggerMetadata(fn.name, text, message),
    };
    try {
      return (await ctx.invoke(request)).succeeded;
    } catch {
      // The host core reports invocation failures itself; a throw is a failed invocation.
      return false;
    }
  }

  private async poison(message: DequeuedMessageItem, popReceipt: string): Promise<void> {
    const { service, queueName, options, ctx, logCategory } = this.setup;
    await this.settle('poison', async () => {
      const target = {
        service,
        queueName,
        maxDequeueCount: options.maxDequeueCount,
        logger: ctx.logger,
        logCategory,
        notifyQueueWrite: (name: string) => ctx.notifyQueueWrite(name),
      };
      if (await copyToPoisonQueue(target, message.messageText)) {
        await this.setup.queue.deleteMessage(message.messageId, popReceipt);
      }
    });
  }

  /** Completion errors are logged, never thrown: the message simply reappears later. */
  private async settle(what: string, action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (error) {
      if (isGoneOrReceiptMismatch(error)) return;
      this.setup.ctx.logger.log('warning', this.setup.logCategory, `Queue '${this.setup.queueName}': could not ${what} a message: ${(error as Error).message}`);
    }
  }
}

/** Keeps a running message invisible; each renewal yields the pop receipt the next call must use. */
class VisibilityLease {
  popReceipt: string;
  private renewing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly setup: MessageProcessorSetup,
    private readonly message: DequeuedMessageItem,
  ) {
    this.popReceipt = message.popReceipt;
    this.timer = setInterval(() => {
      this.renewing = this.renewing.then(() => this.renew());
    }, setup.renewIntervalMs);
  }

  private async renew(): Promise<void> {
    try {
      const seconds = Math.ceil(this.setup.visibilityMs / 1000);
      const response = await this.setup.queue.updateMessage(this.message.messageId, this.popReceipt, undefined, seconds);
      if (response.popReceipt) this.popReceipt = response.popReceipt;
    } catch (error) {
      this.setup.ctx.logger.log(
        'warning',
        this.setup.logCategory,
        `Queue '${this.setup.queueName}': could not renew the visibility of message ${this.message.messageId}: ${(error as Error).message}`,
      );
    }
  }

  async end(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
  }
}

function isGoneOrReceiptMismatch(error: unknown): boolean {
  const { statusCode, code } = error as { statusCode?: number; code?: string };
  return statusCode === 404 || code === 'PopReceiptMismatch' || code === 'MessageNotFound';
}
