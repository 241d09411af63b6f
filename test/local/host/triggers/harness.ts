// Drives the trigger listeners directly: a HostContext whose `invoke` is a test double.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { QueueServiceClient } from '@azure/storage-queue';
import type { FunctionInfo, HostContext, HostJson, InvocationRequest, InvocationResult, LogLevel, TriggerListener } from '../../../../local/host/contracts.js';
import { settingsFrom } from './unit/settings.js';

export interface LogLine {
  level: LogLevel;
  category: string;
  message: string;
}

export type Handler = (request: InvocationRequest) => Promise<boolean | InvocationResult> | boolean | InvocationResult;

export interface Harness {
  ctx: HostContext;
  requests: InvocationRequest[];
  logs: LogLine[];
  listeners: TriggerListener[];
  /** Replaced by tests; returns succeeded, or a full result. */
  handler: Handler;
}

export function createHarness(options: { connectionString?: string; hostJson?: HostJson['extensions']; settings?: Record<string, string> } = {}): Harness {
  const values: Record<string, string> = { ...options.settings };
  if (options.connectionString) values['AzureWebJobsStorage'] = options.connectionString;
  const harness: Harness = {
    requests: [],
    logs: [],
    listeners: [],
    handler: () => true,
    ctx: undefined as unknown as HostContext,
  };
  harness.ctx = {
    appDir: '.',
    dataDir: mkdtempSync(path.join(tmpdir(), 'host-triggers-')),
    settings: settingsFrom(values),
    hostJson: { version: '2.0', ...(options.hostJson ? { extensions: options.hostJson } : {}) },
    logger: { log: (level, category, message) => harness.logs.push({ level, category, message }) },
    notifyQueueWrite: (queue) => harness.listeners.forEach((listener) => listener.onQueueWrite?.(queue)),
    invoke: async (request) => {
      harness.requests.push(request);
      const outcome = await harness.handler(request);
      if (typeof outcome === 'boolean') {
        return { invocationId: `id-${harness.requests.length}`, succeeded: outcome, outputData: [], ...(outcome ? {} : { error: { message: 'boom' } }) };
      }
      return outcome;
    },
  };
  return harness;
}

export function queueFunction(name: string, queueName: string, extra: Record<string, unknown> = {}): FunctionInfo {
  const trigger = { type: 'queueTrigger', direction: 'in' as const, queueName, connection: '', ...extra };
  return { name, triggerKey: 'queueItem', trigger, bindings: { queueItem: trigger } };
}

export function timerFunction(name: string, schedule: string, extra: Record<string, unknown> = {}, retryOptions?: unknown): FunctionInfo {
  const trigger = { type: 'timerTrigger', direction: 'in' as const, schedule, ...extra };
  return { name, triggerKey: 'myTimer', trigger, bindings: { myTimer: trigger }, ...(retryOptions ? { retryOptions } : {}) };
}

export function uniqueQueueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function queueService(connectionString: string): QueueServiceClient {
  return QueueServiceClient.fromConnectionString(connectionString);
}

export const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

export async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A promise with its resolve function, for handlers that wait until the test lets them finish. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

export async function messageCount(service: QueueServiceClient, queueName: string): Promise<number> {
  return (await service.getQueueClient(queueName).getProperties()).approximateMessagesCount ?? 0;
}
