import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FunctionInfo, InvocationRequest } from '../../../../local/host/contracts.js';
import { createTriggerListener } from '../../../../local/host/listeners.js';
import { TimerTriggerListener } from '../../../../local/host/timer/listener.js';
import { createHarness, gate, sleep, timerFunction, waitFor, type Harness } from './harness.js';

const started: TimerTriggerListener[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((listener) => listener.stop()));
});

const DAILY = '0 0 0 * * *';

async function startTimer(fn: FunctionInfo, harness = createHarness()) {
  const listener = new TimerTriggerListener(fn, harness.ctx, { stopTimeoutMs: 15_000 });
  started.push(listener);
  await listener.start();
  return { harness, listener };
}

interface TimerArgument {
  Schedule: { AdjustForDST: boolean };
  ScheduleStatus: { Last: string; Next: string; LastUpdated: string } | null;
  IsPastDue: boolean;
}
const timerArg = (request: InvocationRequest) => JSON.parse(request.inputData[0]!.data.json!) as TimerArgument;
const statusFile = (harness: Harness, name: string) => path.join(harness.ctx.dataDir, 'timers', `${name}.json`);

describe('timer trigger listener', () => {
  it('fires on its NCRONTAB schedule with the timer input the host sends', async () => {
    const { harness } = await startTimer(timerFunction('tick', '*/1 * * * * *'));
    await waitFor(() => harness.requests.length >= 2, 'two runs');
    const request = harness.requests[0]!;
    expect(request.functionName).toBe('tick');
    expect(request.reason).toMatch(/^Timer fired at \d{4}-\d\d-\d\dT/);
    expect(request.inputData[0]!.name).toBe('myTimer');
    // Fires more than once a minute: monitoring is off, so no status.
    expect(request.inputData[0]!.data.json).toBe('{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}');
    expect(existsSync(statusFile(harness, 'tick'))).toBe(false);
  });

  it('logs the next occurrences at start', async () => {
    const { harness } = await startTimer(timerFunction('daily', DAILY));
    const line = harness.logs.find((l) => l.message.startsWith("The next 5 occurrences of the 'daily' schedule (Cron: '0 0 0 * * *') will be:"));
    expect(line?.category).toBe('Host.Triggers.Timer');
    expect(line!.message.split('\n')).toHaveLength(6);
  });

  it('reads the schedule from an app setting', async () => {
    const harness = createHarness({ settings: { TICK_SCHEDULE: '*/1 * * * * *' } });
    await startTimer(timerFunction('tick', '%TICK_SCHEDULE%'), harness);
    await waitFor(() => harness.requests.length >= 1, 'a run');
  });

  it('runs at once with runOnStartup, and only then', async () => {
    const { harness } = await startTimer(timerFunction('startup', DAILY, { runOnStartup: true }));
    await waitFor(() => harness.requests.length === 1, 'the startup run');
    expect(timerArg(harness.requests[0]!).IsPastDue).toBe(false);
    await sleep(1_000);
    expect(harness.requests).toHaveLength(1);
  });

  it('does not run at start without runOnStartup or a past-due status', async () => {
    const { harness } = await startTimer(timerFunction('quiet', DAILY));
    await sleep(1_500);
    expect(harness.requests).toHaveLength(0);
    const status = JSON.parse(readFileSync(statusFile(harness, 'quiet'), 'utf8')) as { Last: string; Next: string };
    expect(status.Last).toBe('0001-01-01T00:00:00');
    expect(Date.parse(status.Next)).toBeGreaterThan(Date.now());
  });

  it('runs once, past due, when the stored Next has passed — even with runOnStartup', async () => {
    const harness = createHarness();
    const stored = { Last: '2020-01-01T00:00:00+00:00', Next: '2020-01-02T00:00:00+00:00', LastUpdated: '2020-01-01T00:00:01+00:00' };
    mkdirSync(path.join(harness.ctx.dataDir, 'timers'), { recursive: true });
    writeFileSync(statusFile(harness, 'late'), JSON.stringify(stored));

    await startTimer(timerFunction('late', DAILY, { runOnStartup: true }), harness);
    await waitFor(() => harness.requests.length === 1, 'the past-due run');
    expect(timerArg(harness.requests[0]!)).toEqual({ Schedule: { AdjustForDST: true }, ScheduleStatus: stored, IsPastDue: true });
    await sleep(1_000);
    expect(harness.requests).toHaveLength(1);

    const readStatus = () => JSON.parse(readFileSync(statusFile(harness, 'late'), 'utf8')) as { Last: string; Next: string };
    await waitFor(() => readStatus().Last !== stored.Last, 'the status update');
    const updated = readStatus();
    expect(Date.parse(updated.Next)).toBeGreaterThan(Date.now());
  });

  it('passes no status when useMonitor is false', async () => {
    const harness = createHarness();
    mkdirSync(path.join(harness.ctx.dataDir, 'timers'), { recursive: true });
    writeFileSync(statusFile(harness, 'unmonitored'), JSON.stringify({ Last: 'x', Next: '2020-01-02T00:00:00+00:00', LastUpdated: 'y' }));
    await startTimer(timerFunction('unmonitored', DAILY, { useMonitor: false, runOnStartup: true }), harness);
    await waitFor(() => harness.requests.length === 1, 'the startup run');
    expect(timerArg(harness.requests[0]!)).toMatchObject({ ScheduleStatus: null, IsPastDue: false });
  });

  it('never overlaps runs and follows an overshooting run with one immediate run, not a backlog', async () => {
    // On a fake clock (timers and Date), so that the schedule, not the machine's load, decides
    // when each run starts; file I/O (the timer's lock) stays real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: new Date('2026-01-01T00:00:00.000Z') });
    try {
      const harness = createHarness();
      const runs: { start: number; end?: number }[] = [];
      harness.handler = async () => {
        const run: { start: number; end?: number } = { start: Date.now() };
        runs.push(run);
        // The first run spans two later slots (every 5 s); the others are quick.
        await sleep(runs.length === 1 ? 11_000 : 50);
        run.end = Date.now();
        return true;
      };
      await startTimer(timerFunction('slow', '*/5 * * * * *'), harness);
      // Up to :31, so that no run is left in flight when the listener stops on the real clock.
      await vi.advanceTimersByTimeAsync(31_000);

      const at = (time: string) => Date.parse(`2026-01-01T00:00:${time}Z`);
      for (let i = 1; i < runs.length; i++) expect(runs[i]!.start).toBeGreaterThanOrEqual(runs[i - 1]!.end!);
      // The first run takes the :05 slot and overshoots the :10 and :15 ones...
      expect(runs[0]).toEqual({ start: at('05'), end: at('16') });
      // ...one run follows at once, for the missed slots...
      expect(runs[1]!.start).toBe(at('16'));
      // ...and then the schedule goes on from the next slot instead of working off the missed ones.
      expect(runs.slice(2).map((run) => run.start)).toEqual([at('20'), at('25'), at('30')]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('logs a failure and keeps the schedule', async () => {
    const harness = createHarness();
    harness.handler = () => false;
    await startTimer(timerFunction('failing', '*/1 * * * * *'), harness);
    await waitFor(() => harness.requests.length >= 2, 'runs after a failure');
    expect(harness.logs.some((l) => l.level === 'error' && l.category === 'Function.failing' && l.message.includes('boom'))).toBe(true);
  });

  it('retries a failed run per retryOptions, filling retryContext', async () => {
    const harness = createHarness();
    harness.handler = (request) => (request.retryContext?.retryCount ?? 0) >= 2;
    const retry = { strategy: 'fixedDelay', retryStrategy: 'fixedDelay', maxRetryCount: 3, delayInterval: { seconds: 1 } };
    await startTimer(timerFunction('flaky', DAILY, { runOnStartup: true }, retry), harness);
    await waitFor(() => harness.requests.length === 3, 'two retries');
    expect(harness.requests.map((r) => r.retryContext)).toEqual([
      { retryCount: 0, maxRetryCount: 3 },
      { retryCount: 1, maxRetryCount: 3, exception: { message: 'boom' } },
      { retryCount: 2, maxRetryCount: 3, exception: { message: 'boom' } },
    ]);
    await sleep(1_500);
    expect(harness.requests).toHaveLength(3);
  });

  it('stops retrying after maxRetryCount', async () => {
    const harness = createHarness();
    harness.handler = () => false;
    const retry = { retryStrategy: 'exponentialBackoff', maxRetryCount: 1, minimumInterval: { seconds: 0 }, maximumInterval: { seconds: 1 } };
    await startTimer(timerFunction('hopeless', DAILY, { runOnStartup: true }, retry), harness);
    await waitFor(() => harness.requests.length === 2, 'one retry');
    await sleep(1_500);
    expect(harness.requests).toHaveLength(2);
  });

  it('invokes from the admin API with the stored status and isPastDue false', async () => {
    const { harness, listener } = await startTimer(timerFunction('manual', DAILY));
    const result = await listener.invokeFromAdmin('');
    expect(result.succeeded).toBe(true);
    const request = harness.requests[0]!;
    expect(request.reason).toBe('This function was programmatically called via the host APIs.');
    const stored = JSON.parse(readFileSync(statusFile(harness, 'manual'), 'utf8')) as unknown;
    expect(timerArg(request)).toEqual({ Schedule: { AdjustForDST: true }, ScheduleStatus: stored, IsPastDue: false });
  });

  it('stop() waits for a running invocation', async () => {
    const harness = createHarness();
    const events: string[] = [];
    const release = gate();
    harness.handler = async () => {
      await release.promise;
      events.push('finished');
      return true;
    };
    const { listener } = await startTimer(timerFunction('draining', DAILY, { runOnStartup: true }), harness);
    await waitFor(() => harness.requests.length === 1, 'the run');
    const stopping = listener.stop().then(() => events.push('stopped'));
    await sleep(300);
    release.open();
    await stopping;
    expect(events).toEqual(['finished', 'stopped']);
  });

  it('fires a timer in one host only when two share a data folder, and hands over when it stops', async () => {
    const first = createHarness();
    const second = createHarness();
    second.ctx.dataDir = first.ctx.dataDir;
    const fn = timerFunction('single', DAILY, { runOnStartup: true });
    const a = new TimerTriggerListener(fn, first.ctx, { lockRetryMs: 200 });
    const b = new TimerTriggerListener(fn, second.ctx, { lockRetryMs: 200 });
    started.push(a, b);
    await a.start();
    await b.start();
    await waitFor(() => first.requests.length === 1, 'the first host’s run');
    await sleep(1_000);
    expect(second.requests).toHaveLength(0);
    expect(second.logs.some((l) => l.message.includes(`pid ${process.pid}`))).toBe(true);

    await a.stop();
    await waitFor(() => second.requests.length === 1, 'the second host taking over');
  });

  it('takes over a lock left by a process that is gone', async () => {
    const harness = createHarness();
    mkdirSync(path.join(harness.ctx.dataDir, 'timers'), { recursive: true });
    writeFileSync(path.join(harness.ctx.dataDir, 'timers', 'orphan.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, token: 'dead' }));
    await startTimer(timerFunction('orphan', DAILY, { runOnStartup: true }), harness);
    await waitFor(() => harness.requests.length === 1, 'the run');
  });

  it('refuses an invalid schedule or time zone naming the function', () => {
    const harness = createHarness({ settings: { WEBSITE_TIME_ZONE: 'Pacific Standard Time' } });
    expect(() => new TimerTriggerListener(timerFunction('zoned', DAILY), harness.ctx)).toThrow(/WEBSITE_TIME_ZONE/);
    expect(() => new TimerTriggerListener(timerFunction('bad', '0 0 0 L * *'), createHarness().ctx)).toThrow(/Function 'bad'/);
  });

  it('evaluates the schedule in WEBSITE_TIME_ZONE', () => {
    const harness = createHarness({ settings: { WEBSITE_TIME_ZONE: 'Asia/Tokyo' } });
    const listener = new TimerTriggerListener(timerFunction('tokyo', DAILY), harness.ctx);
    expect(listener.schedule.next(new Date('2026-01-01T12:00:00Z')).toISOString()).toBe('2026-01-01T15:00:00.000Z');
  });
});

describe('createTriggerListener', () => {
  it('builds queue and timer listeners and refuses other triggers', () => {
    const harness = createHarness({ connectionString: 'UseDevelopmentStorage=true' });
    expect(createTriggerListener(timerFunction('t', DAILY), harness.ctx)).toBeInstanceOf(TimerTriggerListener);
    const blob: FunctionInfo = { name: 'blobby', triggerKey: 'b', trigger: { type: 'blobTrigger', direction: 'in' }, bindings: {} };
    expect(() => createTriggerListener(blob, harness.ctx)).toThrow(/'blobby'.*'blobTrigger'/);
  });
});
