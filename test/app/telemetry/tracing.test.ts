// One trace per piece of work, seen from outside: the app (an isolated copy on the local host)
// sends OTLP/HTTP to a receiver the test runs. A certificate created with PUT is one trace from
// the request (whose traceparent the app honours) through every invocation of its job, re-queues
// included, to the Key Vault and Storage calls, in the default vault as in a second one; a timer
// run is one trace with a span per vault and per secret; every HTTP function (the dashboard's and
// the docs' files included) has its server span.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../support/api.js';
import { emulatorAdmin, startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import { OtlpReceiver, type ReceivedSpan } from '../../support/otlpReceiver.js';
import { waitForOperation } from '../../support/operations.js';
import { RotationTimer, until } from '../../support/rotation.js';

let receiver: OtlpReceiver;
let app: IsolatedApp;

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  // A 2 s polling budget against a 6 s creation: the job is handed over to re-queued messages.
  // Two vaults: `main` is the default vault (KEYVAULT_URL), `payments` is the second (KEYVAULTS).
  app = await startIsolatedApp({
    settings: { ...receiver.settings(), JOB_POLL_BUDGET_SECONDS: '2' },
    emulator: { certificateCreateMs: 6_000, vaults: ['main', 'payments'] },
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await receiver?.stop();
});

const SERVER = 2;
const CLIENT = 3;
const CONSUMER = 5;

/** The run id (the timer invocation's id) a run's span records. */
const runIdOf = (root: ReceivedSpan) => root.attributes['faas.invocation_id'];

/** The host (name and port) of a client span's URL, if it has one. */
const hostOf = (span: ReceivedSpan) => {
  const url = String(span.attributes['url.full'] ?? span.attributes['http.url'] ?? '');
  return URL.canParse(url) ? new URL(url).host : undefined;
};

/** The chain of parents of `span` within its trace, up to its root. */
function ancestors(span: ReceivedSpan, trace: ReceivedSpan[]): ReceivedSpan[] {
  const chain: ReceivedSpan[] = [];
  for (let parent = trace.find((s) => s.spanId === span.parentSpanId); parent; parent = trace.find((s) => s.spanId === parent!.parentSpanId)) chain.push(parent);
  return chain;
}

describe('tracing', () => {
  it('follows PUT /api/certificates/{name} through the queue, across re-queues, to Key Vault in one trace', { timeout: 120_000 }, async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const name = uniqueName('traced');
    const response = await app.api.put(`/certificates/${name}`, undefined, { headers: { traceparent: `00-${traceId}-${callerSpan}-01` } });
    expect(response.status, response.text).toBe(202);
    const operation = await waitForOperation(app.api, response.headers.get('operation-location')!, 100_000);
    expect(operation.status).toBe('Succeeded');
    expect(operation.attempts).toBeGreaterThanOrEqual(2);
    // The operation resource names its trace.
    expect(operation.traceId).toBe(traceId);

    const jobSpans = await until(() => {
      const spans = receiver.trace(traceId).filter((span) => span.name === 'certificate job certificate.create');
      return spans.length >= operation.attempts ? spans : undefined;
    }, 'the worker invocations to be exported');
    const trace = receiver.trace(traceId);
    // The request's span is the caller's child.
    const server = trace.find((span) => span.kind === SERVER);
    expect(server, JSON.stringify(trace.map((s) => s.name))).toBeDefined();
    expect(server!.parentSpanId).toBe(callerSpan);
    expect(server!.attributes['http.response.status_code']).toBe(202);
    // Every invocation of the job (the first and the re-queued ones) is a consumer span of the same trace.
    for (const job of jobSpans) expect(job.kind).toBe(CONSUMER);
    expect(new Set(jobSpans.map((span) => span.attributes['app.job.attempt']))).toContain(1);
    // Key Vault's calls are spans of the Azure SDK (its HTTP requests are client spans), children of
    // a worker invocation; the create is asked for once, and polled by later invocations.
    const vaultCalls = trace.filter(
      (span) => span.kind === CLIENT && String(span.attributes['url.full'] ?? span.attributes['http.url'] ?? '').startsWith(app.emulator.vaultUrl),
    );
    expect(vaultCalls.length, JSON.stringify(trace.map((s) => [s.name, s.kind, s.attributes]))).toBeGreaterThanOrEqual(2);
    const underJobs = vaultCalls.filter((span) => ancestors(span, trace).some((parent) => jobSpans.includes(parent)));
    expect(underJobs.length).toBeGreaterThanOrEqual(2);
    expect(new Set(underJobs.map((span) => ancestors(span, trace).find((parent) => jobSpans.includes(parent))!.spanId)).size).toBeGreaterThanOrEqual(2);
    // Key Vault itself saw the trace context on the create and on the later invocations' polls.
    const seen = app.emulator.counters.tracedCalls(traceId);
    expect(seen['createCertificate']).toBe(1);
    expect(seen['getCertificateOperation']).toBeGreaterThanOrEqual(1);
    // The worker's log lines are records of the trace, with the operation id and vault as properties.
    const handover = await until(() => receiver.logs.find((log) => log.body.includes(`Operation ${operation.id}: Key Vault is still working`)), 'the hand-over log line');
    expect(handover.attributes).toMatchObject({ 'app.operation.id': operation.id, 'app.vault': 'default' });
    expect(handover.traceId).toBe(traceId);
    // Storage calls (the operation record, the job message) are in the trace too.
    expect(
      trace.some((span) => span.kind === CLIENT && /127\.0\.0\.1:\d+\/devstoreaccount1/.test(String(span.attributes['url.full'] ?? span.attributes['http.url'] ?? ''))),
    ).toBe(true);
  });

  it('makes a timer run one trace with a span per vault and per rotated secret', { timeout: 120_000 }, async () => {
    const rotatedAt = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const names = [uniqueName('traced-rot'), uniqueName('traced-rot'), uniqueName('traced-rot')];
    for (const name of names) await app.api.put(`/secrets/${name}`, { value: 'v0', tags: { 'rotation-interval': 'P1D', 'rotated-at': rotatedAt } });
    const run = await new RotationTimer(app).run('a traced rotation run');
    expect(run).toMatchObject({ ran: true, rotated: 3, failed: 0 });

    const root = await until(() => receiver.spans.find((span) => span.name === 'rotation run'), 'the run span');
    const perSecret = await until(() => {
      const spans = receiver.trace(root.traceId).filter((span) => span.name === 'rotate secret');
      return spans.length >= names.length ? spans : undefined;
    }, 'the secret spans');
    const trace = receiver.trace(root.traceId);
    expect(root.parentSpanId).toBeUndefined();
    // One span per vault the app manages, each a child of the run.
    const perVault = await until(() => {
      const spans = receiver.trace(root.traceId).filter((span) => span.name === 'rotation run vault');
      return spans.length >= 2 ? spans : undefined;
    }, 'the vault spans');
    expect(perVault.map((span) => span.attributes['app.vault']).sort()).toEqual(['default', 'payments']);
    for (const span of perVault) expect(span.parentSpanId).toBe(root.spanId);
    expect(perSecret.map((span) => span.attributes['app.secret.name']).sort()).toEqual([...names].sort());
    const defaultVault = perVault.find((span) => span.attributes['app.vault'] === 'default')!;
    for (const span of perSecret) {
      expect(span.attributes['app.rotation.outcome']).toBe('rotated');
      expect(ancestors(span, trace)).toContain(defaultVault);
      // Each secret's Key Vault calls (read, write) are its children.
      const calls = trace.filter((call) => call.kind === CLIENT && ancestors(call, trace).includes(span));
      expect(calls.length).toBeGreaterThanOrEqual(2);
    }
    // Each rotation's log line carries the run, the vault, the rotation id and the secret as properties.
    for (const span of perSecret) {
      const name = span.attributes['app.secret.name'] as string;
      const line = await until(() => receiver.logs.find((log) => log.body.startsWith(`Rotated secret ${name}:`)), `the log line of ${name}`);
      expect(line.attributes).toMatchObject({ 'app.vault': 'default', 'app.secret.name': name, 'app.rotation.id': span.attributes['app.rotation.id'] });
      expect(line.attributes['app.rotation.run']).toEqual(expect.any(String));
      expect(line.traceId).toBe(root.traceId);
    }
    const summary = await until(
      () => receiver.logs.find((log) => log.traceId === root.traceId && log.attributes['app.vault'] === 'default' && log.body.startsWith('Rotation run:')),
      'the run summary line',
    );
    expect(summary.attributes).toMatchObject({ 'app.vault': 'default', 'app.rotation.run': runIdOf(root) });
  });

  it('follows PUT /api/vaults/payments/certificates/{name} to the payments vault in one trace', { timeout: 60_000 }, async () => {
    // Created at once: no hand-over (that is the first test's).
    await emulatorAdmin(app.emulator, 'settings', { certificateCreateMs: 0 });
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const name = uniqueName('traced-pay');
    const response = await app.api.put(`/vaults/payments/certificates/${name}`, undefined, { headers: { traceparent: `00-${traceId}-${callerSpan}-01` } });
    expect(response.status, response.text).toBe(202);
    const operation = await waitForOperation(app.api, response.headers.get('operation-location')!);
    expect(operation).toMatchObject({ status: 'Succeeded', traceId, target: { vault: 'payments' } });

    const job = await until(() => receiver.trace(traceId).find((span) => span.name === 'certificate job certificate.create'), 'the worker invocation');
    const trace = receiver.trace(traceId);
    const server = trace.find((span) => span.kind === SERVER);
    expect(server?.parentSpanId).toBe(callerSpan);
    expect(server!.attributes['url.path']).toBe(`/api/vaults/payments/certificates/${name}`);
    expect(job.kind).toBe(CONSUMER);
    // Every Key Vault call of the trace went to the payments vault, and those of the job are its children.
    const hosts = { main: new URL(app.emulator.vaults['main']!.url).host, payments: new URL(app.emulator.vaults['payments']!.url).host };
    const vaultCalls = trace.filter((span) => span.kind === CLIENT && [hosts.main, hosts.payments].includes(hostOf(span) ?? ''));
    expect(vaultCalls.length).toBeGreaterThanOrEqual(2);
    expect(new Set(vaultCalls.map(hostOf))).toEqual(new Set([hosts.payments]));
    expect(vaultCalls.filter((span) => ancestors(span, trace).includes(job)).length).toBeGreaterThanOrEqual(1);
    expect(app.emulator.vaults['payments']!.counters.tracedCalls(traceId)['createCertificate']).toBe(1);
    expect(app.emulator.vaults['main']!.counters.tracedCalls(traceId)).toEqual({});
  });

  it('gives the dashboard, docs, OpenAPI and inventory functions a server span each', { timeout: 60_000 }, async () => {
    const paths = ['/dashboard', '/dashboard/dashboard.js', '/docs', '/docs/init.js', '/openapi.json', '/inventory'];
    for (const path of paths) expect((await app.api.get(path)).status, path).toBe(200);
    for (const path of paths) {
      const span = await until(() => receiver.spans.find((s) => s.kind === SERVER && s.attributes['url.path'] === `/api${path}`), `the server span of ${path}`);
      expect(span.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 200 });
    }
  });
});
