// End to end: the timer fixture app under the real local host.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminInvoke, startAppHost, tempDir, TIMER_APP, type AppHost } from './appHost.js';
import { waitFor } from './harness.js';

interface TimerRecord {
  at: number;
  timer: { schedule: { adjustForDST: boolean }; scheduleStatus: { last: string; next: string; lastUpdated: string } | null; isPastDue: boolean };
}
interface SlowRecord {
  start: number;
  end: number;
}

const storedDaily = { Last: '2020-01-01T00:00:00+00:00', Next: '2020-01-02T00:00:00+00:00', LastUpdated: '2020-01-01T00:00:01+00:00' };
let host: AppHost;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('timer-data');
  mkdirSync(path.join(dataDir, 'timers'), { recursive: true });
  writeFileSync(path.join(dataDir, 'timers', 'daily.json'), JSON.stringify(storedDaily));
  host = await startAppHost(
    TIMER_APP,
    {
      AzureWebJobsStorage: inject('storage').connectionString,
      TICK_SCHEDULE: '*/1 * * * * *',
      SLOW_SCHEDULE: '*/2 * * * * *',
      SLOW_MS: '3000',
    },
    dataDir,
  );
});

afterAll(async () => {
  await host?.stop();
});

describe('timer trigger under the local host', () => {
  it('fires on schedule with the timer object the app expects', async () => {
    await waitFor(() => host.records('tick').length >= 2, 'two ticks');
    const [first] = host.records<TimerRecord>('tick');
    expect(first!.timer).toEqual({ schedule: { adjustForDST: true }, scheduleStatus: null, isPastDue: false });
    expect(host.lines.some((l) => l.includes("The next 5 occurrences of the 'tick' schedule (Cron: '*/1 * * * * *') will be:"))).toBe(true);
  });

  it('runs a runOnStartup timer once at start, with its fresh schedule status', async () => {
    await waitFor(() => host.records('startup').length === 1, 'the startup run');
    const [record] = host.records<TimerRecord>('startup');
    expect(record!.timer.isPastDue).toBe(false);
    expect(record!.timer.scheduleStatus).toMatchObject({ last: '0001-01-01T00:00:00' });
  });

  it('runs a timer whose stored Next has passed at once, past due, with the stored status', async () => {
    await waitFor(() => host.records('daily').length >= 1, 'the past-due run');
    const [record] = host.records<TimerRecord>('daily');
    expect(record!.timer).toEqual({
      schedule: { adjustForDST: true },
      scheduleStatus: { last: storedDaily.Last, next: storedDaily.Next, lastUpdated: storedDaily.LastUpdated },
      isPastDue: true,
    });
  });

  it('never overlaps runs of a timer slower than its schedule', async () => {
    await waitFor(() => host.records('slow').length >= 3, 'three slow runs', 45_000);
    const runs = host.records<SlowRecord>('slow');
    for (let i = 1; i < runs.length; i++) expect(runs[i]!.start).toBeGreaterThanOrEqual(runs[i - 1]!.end);
  }, 60_000);

  it('retries a failed run with the retry options the app registered', async () => {
    await waitFor(() => host.records('flaky').length === 2, 'the retry');
    const contexts = host.records<{ retryContext: Record<string, unknown> }>('flaky').map((r) => r.retryContext);
    expect(contexts[0]).toMatchObject({ retryCount: 0, maxRetryCount: 2 });
    expect(contexts[1]).toMatchObject({ retryCount: 1, maxRetryCount: 2, exception: { message: expect.stringContaining('first attempt fails on purpose') } });
  });

  it('invokes a timer function from the admin API with the stored status and isPastDue false', async () => {
    await waitFor(() => host.records('daily').length >= 1, 'the past-due run');
    const stored = await waitFor(() => {
      const status = JSON.parse(readFileSync(path.join(dataDir, 'timers', 'daily.json'), 'utf8')) as typeof storedDaily;
      return status.Last !== storedDaily.Last ? status : undefined;
    }, 'the status update');
    expect(await adminInvoke(host, 'daily', '')).toBe(202);
    await waitFor(() => host.records('daily').length === 2, 'the admin run');
    const record = host.records<TimerRecord>('daily')[1]!;
    expect(record.timer).toEqual({
      schedule: { adjustForDST: true },
      scheduleStatus: { last: stored.Last, next: stored.Next, lastUpdated: stored.LastUpdated },
      isPastDue: false,
    });
  });
});
