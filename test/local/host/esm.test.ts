// The ESM fixture app ("type": "module", plus a .cjs file): loading, a routePrefix override,
// admin invocation of queue and timer functions, and queue output from an HTTP function.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ESM_APP, readLines, startTestHost, tempDir, waitFor, type TestHost } from './hostHarness.js';

let host: TestHost;
let recordFile: string;

beforeAll(async () => {
  const queueName = `echo-${randomUUID().slice(0, 8)}`;
  await new QueueClient(inject('storage').connectionString, queueName).createIfNotExists();
  recordFile = path.join(tempDir('esm'), 'records.jsonl');
  host = await startTestHost({
    appDir: ESM_APP,
    env: {
      AzureWebJobsStorage: inject('storage').connectionString,
      ECHO_QUEUE: queueName,
      RECORD_FILE: recordFile,
      AzureFunctionsJobHost__extensions__http__routePrefix: 'custom',
    },
  });
});

afterAll(async () => {
  await host?.stop();
});

interface RecordLine {
  message?: unknown;
  dequeueCount?: number;
  timer?: { isPastDue: boolean };
}

function records(): RecordLine[] {
  return readLines(recordFile).map((l) => JSON.parse(l) as RecordLine);
}

function adminInvoke(name: string, body: string | undefined, key: string | undefined = host.masterKey): Promise<Response> {
  return fetch(`${host.baseUrl}/admin/functions/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'x-functions-key': key } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
}

describe('ESM app', () => {
  it('serves an ESM function under the overridden routePrefix, with its function key', async () => {
    expect((await fetch(`${host.baseUrl}/custom/hello`)).status).toBe(401);
    const res = await fetch(`${host.baseUrl}/custom/hello?name=Esm`, { headers: { 'x-functions-key': host.functionKey } });
    expect(await res.json()).toEqual({ greeting: 'Hello, Esm (esm)' });
    expect((await fetch(`${host.baseUrl}/api/hello`)).status).toBe(404);
  });

  it('requires a .cjs entry point even in a "type": "module" app', async () => {
    expect(await (await fetch(`${host.baseUrl}/custom/legacy`)).text()).toBe('legacy cjs, typeof module = object');
  });

  it('lists non-HTTP functions by trigger type', () => {
    expect(host.lines).toContain('  queueEcho: queueTrigger');
    expect(host.lines).toContain('  tick: timerTrigger');
    expect(host.functions).toContainEqual({ name: 'queueEcho', trigger: 'queueTrigger' });
  });
});

describe('POST /admin/functions/{name}', () => {
  it('invokes a queue function in the background with the input as message text (202)', async () => {
    const res = await adminInvoke('queueEcho', JSON.stringify({ input: 'hello admin' }));
    expect(res.status).toBe(202);
    const record = await waitFor(() => records().find((r) => r.message === 'hello admin'), 'admin queue invocation');
    expect(record.dequeueCount).toBe(0);
  });

  it('invokes a timer function with a timer object', async () => {
    expect((await adminInvoke('tick', JSON.stringify({ input: '' }))).status).toBe(202);
    const record = await waitFor(() => records().find((r) => r.timer), 'admin timer invocation');
    expect(record.timer?.isPastDue).toBe(false);
  });

  it('answers 400 without a body, 404 for unknown functions, 401 without the master key', async () => {
    expect((await adminInvoke('queueEcho', undefined)).status).toBe(400);
    expect((await adminInvoke('missing', undefined)).status).toBe(400);
    expect((await adminInvoke('missing', JSON.stringify({ input: 'x' }))).status).toBe(404);
    expect((await adminInvoke('queueEcho', JSON.stringify({ input: 'x' }), '')).status).toBe(401);
    expect((await adminInvoke('queueEcho', JSON.stringify({ input: 'x' }), host.functionKey)).status).toBe(401);
  });
});

describe('output bindings from an HTTP function', () => {
  it('writes extraOutputs to the queue, which triggers the queue function', async () => {
    const res = await fetch(`${host.baseUrl}/custom/enqueue`, { method: 'POST', body: 'via-output' });
    expect(res.status).toBe(202);
    const record = await waitFor(() => records().find((r) => r.message === 'via-output'), 'queue-triggered invocation', 45_000);
    expect(record.dequeueCount).toBe(1);
  });
});
