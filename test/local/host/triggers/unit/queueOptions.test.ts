import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { readQueueOptions } from '../../../../../local/host/queue/options.js';
import { poisonQueueName, resolveQueueName } from '../../../../../local/host/queue/queueName.js';
import type { HostJson } from '../../../../../local/host/contracts.js';
import { settingsFrom } from './settings.js';

const withQueues = (queues: Record<string, unknown>) => ({ version: '2.0', extensions: { queues } }) as HostJson;

describe('host.json extensions.queues', () => {
  it('has the extension defaults', () => {
    expect(readQueueOptions({ version: '2.0' })).toEqual({
      batchSize: 16,
      newBatchThreshold: 8 * availableParallelism(),
      maxDequeueCount: 5,
      visibilityTimeoutMs: 0,
      maxPollingIntervalMs: 60_000,
      messageEncoding: 'base64',
    });
  });

  it('reads TimeSpan strings', () => {
    const options = readQueueOptions(withQueues({ visibilityTimeout: '00:00:05', maxPollingInterval: '00:00:02' }));
    expect(options.visibilityTimeoutMs).toBe(5_000);
    expect(options.maxPollingIntervalMs).toBe(2_000);
  });

  it('rejects bare numbers as durations', () => {
    expect(() => readQueueOptions(withQueues({ visibilityTimeout: 30 }))).toThrow(/visibilityTimeout/);
    expect(() => readQueueOptions(withQueues({ maxPollingInterval: '2000' }))).toThrow(/maxPollingInterval/);
  });

  it('enforces the limits', () => {
    expect(() => readQueueOptions(withQueues({ batchSize: 33 }))).toThrow(/batchSize/);
    expect(() => readQueueOptions(withQueues({ batchSize: 0 }))).toThrow(/batchSize/);
    expect(() => readQueueOptions(withQueues({ maxDequeueCount: 0 }))).toThrow(/maxDequeueCount/);
    expect(() => readQueueOptions(withQueues({ maxPollingInterval: '00:00:00.05' }))).toThrow(/100 ms/);
    expect(() => readQueueOptions(withQueues({ messageEncoding: 'utf8' }))).toThrow(/messageEncoding/);
  });

  it('derives newBatchThreshold from batchSize', () => {
    expect(readQueueOptions(withQueues({ batchSize: 4 })).newBatchThreshold).toBe(2 * availableParallelism());
    expect(readQueueOptions(withQueues({ batchSize: 4, newBatchThreshold: 0 })).newBatchThreshold).toBe(0);
  });
});

describe('queue names', () => {
  it('resolves %SETTING% and lower-cases', () => {
    expect(resolveQueueName('%JOBS%', settingsFrom({ JOBS: 'Certificate-Jobs' }), 'f')).toBe('certificate-jobs');
  });

  it('rejects invalid names naming the function', () => {
    expect(() => resolveQueueName('a', settingsFrom({}), 'myFn')).toThrow(/myFn.*invalid queue name/);
    expect(() => resolveQueueName('a--b', settingsFrom({}), 'myFn')).toThrow(/invalid queue name/);
    expect(() => resolveQueueName('%MISSING%', settingsFrom({}), 'myFn')).toThrow(/MISSING/);
  });

  it('has no poison queue for poison queues or names that would be too long', () => {
    expect(poisonQueueName('jobs')).toBe('jobs-poison');
    expect(poisonQueueName('jobs-poison')).toBeUndefined();
    expect(poisonQueueName('a'.repeat(56))).toBe(`${'a'.repeat(56)}-poison`);
    expect(poisonQueueName('a'.repeat(57))).toBeUndefined();
  });
});
