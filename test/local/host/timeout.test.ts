// host.json functionTimeout (here overridden through AzureFunctionsJobHost__functionTimeout):
// the timed-out invocation fails with 500, the worker is restarted (failing other in-flight
// invocations too) and the host keeps serving.
import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { CJS_APP, readLines, startTestHost, tempDir, waitFor, type TestHost } from './hostHarness.js';

let host: TestHost;
let hookLog: string;

beforeAll(async () => {
  hookLog = path.join(tempDir('timeout'), 'hooks.log');
  host = await startTestHost({
    appDir: CJS_APP,
    env: { AzureWebJobsStorage: inject('storage').connectionString, AzureFunctionsJobHost__functionTimeout: '00:00:02', HOOK_LOG: hookLog },
  });
});

afterAll(async () => {
  await host?.stop();
});

it('fails a timed-out invocation with 500, restarts the worker and serves the next request', async () => {
  const first = fetch(`${host.baseUrl}/api/slow?ms=600000`);
  await waitFor(() => (readLines(hookLog).includes('preInvocation:slow') ? true : undefined), 'first slow invocation');
  // Starts later, so it is still running when the first one times out: it shares the worker's fate.
  const second = fetch(`${host.baseUrl}/api/slow?ms=600000`);
  await waitFor(() => (readLines(hookLog).filter((l) => l === 'preInvocation:slow').length === 2 ? true : undefined), 'second slow invocation');

  const [a, b] = await Promise.all([first, second]);
  expect(a.status).toBe(500);
  expect(b.status).toBe(500);
  expect(host.lines.some((l) => l.includes('Timeout value of 00:00:02 was exceeded by function: Functions.slow'))).toBe(true);

  const after = await fetch(`${host.baseUrl}/api/hello?name=again`);
  expect(await after.text()).toBe('Hello, again (cjs)');
  // The new worker loaded the app again, so appStart ran a second time.
  expect(readLines(hookLog).filter((l) => l === 'appStart')).toHaveLength(2);
  expect((await fetch(`${host.baseUrl}/api/slow?ms=10`)).status).toBe(200);
});

it('restarts a worker that exits during an invocation (500) and keeps serving', async () => {
  const starts = readLines(hookLog).filter((l) => l === 'appStart').length;
  expect((await fetch(`${host.baseUrl}/api/crash`)).status).toBe(500);
  expect(await (await fetch(`${host.baseUrl}/api/hello?name=later`)).text()).toBe('Hello, later (cjs)');
  expect(readLines(hookLog).filter((l) => l === 'appStart')).toHaveLength(starts + 1);
  expect(host.lines.some((l) => l.includes('The worker process exited unexpectedly (exit code 3); restarting it.'))).toBe(true);
});
