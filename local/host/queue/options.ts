// host.json `extensions.queues` with the Storage Queues extension's defaults and limits.
import { availableParallelism } from 'node:os';
import type { HostJson } from '../contracts.js';
import { parseTimeSpan } from '../dotnetTime.js';

export type MessageEncoding = 'base64' | 'none';

export interface QueueOptions {
  batchSize: number;
  newBatchThreshold: number;
  maxDequeueCount: number;
  /** Delay before a failed message becomes visible again. */
  visibilityTimeoutMs: number;
  maxPollingIntervalMs: number;
  messageEncoding: MessageEncoding;
}

const MIN_POLLING_INTERVAL_MS = 100;

export function readQueueOptions(hostJson: HostJson): QueueOptions {
  const raw = hostJson.extensions?.queues ?? {};
  const at = (key: string) => `host.json extensions.queues.${key}`;
  const batchSize = integer(raw.batchSize, 16, at('batchSize'), 1, 32);
  const maxPollingIntervalMs = raw.maxPollingInterval === undefined ? 60_000 : parseTimeSpan(raw.maxPollingInterval, at('maxPollingInterval'));
  if (maxPollingIntervalMs < MIN_POLLING_INTERVAL_MS) {
    throw new Error(`${at('maxPollingInterval')} must be at least 100 ms`);
  }
  const messageEncoding = raw.messageEncoding ?? 'base64';
  if (messageEncoding !== 'base64' && messageEncoding !== 'none') {
    throw new Error(`${at('messageEncoding')} must be 'base64' or 'none', not ${JSON.stringify(messageEncoding)}`);
  }
  return {
    batchSize,
    newBatchThreshold: integer(raw.newBatchThreshold, Math.floor(batchSize / 2) * availableParallelism(), at('newBatchThreshold'), 0, Number.MAX_SAFE_INTEGER),
    maxDequeueCount: integer(raw.maxDequeueCount, 5, at('maxDequeueCount'), 1, Number.MAX_SAFE_INTEGER),
    visibilityTimeoutMs: raw.visibilityTimeout === undefined ? 0 : parseTimeSpan(raw.visibilityTimeout, at('visibilityTimeout')),
    maxPollingIntervalMs,
    messageEncoding,
  };
}

function integer(value: unknown, fallback: number, what: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${what} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, not ${JSON.stringify(value)}`);
  }
  return value;
}
