// The Azure Monitor path, seen from outside: an isolated app with APPLICATIONINSIGHTS_CONNECTION_STRING
// and Entra authentication (APPLICATIONINSIGHTS_AUTHENTICATION_STRING with a user-assigned identity's
// client id, as infra/ sets it) sends to a local Application Insights ingestion endpoint that takes
// only that identity's tokens. A certificate created with PUT is one operation in Application
// Insights terms (`ai.operation.id` = the trace id): the request, every invocation of its job and
// their Key Vault calls; the job's log lines carry its properties; the app's metrics arrive; and no
// secret value appears in anything sent.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startIdentityEndpoint, type RunningIdentityEndpoint } from '../../../local/identity/index.js';
import { METRICS } from '../../../src/platform/telemetryMetrics.js';
import { uniqueName } from '../../support/api.js';
import { AppInsightsReceiver, type Envelope } from '../../support/appInsightsReceiver.js';
import { startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import { waitForOperation } from '../../support/operations.js';
import { until } from '../../support/rotation.js';

const canaryValue = `CANARY-${Math.random().toString(36).slice(2)}-MONITOR`;
let identity: RunningIdentityEndpoint;
let receiver: AppInsightsReceiver;
let app: IsolatedApp;
/** The app's temporary directory: where the exporter would keep what it failed to send. */
let tmpDir: string;

beforeAll(async () => {
  // The app's identity endpoint, started here so that the receiver knows its keys before the app starts.
  identity = await startIdentityEndpoint({ userAssigned: [{ name: 'telemetry' }] });
  receiver = await AppInsightsReceiver.start({ caDir: path.dirname(inject('stack').vault.caFile), identity });
  tmpDir = await mkdtemp(path.join(os.tmpdir(), 'azure-monitor-app-'));
  app = await startIsolatedApp({
    settings: {
      APPLICATIONINSIGHTS_CONNECTION_STRING: receiver.connectionString,
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: `ClientId=${telemetryIdentity().clientId};Authorization=AAD`,
      // Statsbeat (the SDK's own usage metrics) goes to Microsoft's statsbeat endpoint whatever the
      // connection string says, and probes the Azure instance metadata service: a test sends nothing
      // off this machine. In this exporter version APPLICATIONINSIGHTS_STATSBEAT_DISABLED only turns
      // off the non-essential part; this turns off all of it.
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_BLRP_SCHEDULE_DELAY: '200',
      TMPDIR: tmpDir,
      // A 2 s polling budget against a 3 s creation: the job is handed over to a re-queued message.
      JOB_POLL_BUDGET_SECONDS: '2',
    },
    emulator: { identity, certificateCreateMs: 3_000 },
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await receiver?.stop();
  await identity?.stop();
  if (tmpDir) await rm(tmpDir, { recursive: true, force: true });
});

const telemetryIdentity = () => identity.principals.find((principal) => principal.name === 'telemetry')!;
const newTrace = () => ({ traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') });
const traceparent = (trace: { traceId: string; spanId: string }) => `00-${trace.traceId}-${trace.spanId}-01`;
const idOf = (envelope: Envelope) => envelope.data.baseData.id as string;
const parentOf = (envelope: Envelope) => envelope.tags['ai.operation.parentId'];

/** The chain of parents of `envelope` within its operation, up to its root. */
function ancestors(envelope: Envelope, operation: Envelope[]): Envelope[] {
  const chain: Envelope[] = [];
  for (let parent = operation.find((e) => idOf(e) === parentOf(envelope)); parent; parent = operation.find((e) => idOf(e) === parentOf(parent!))) chain.push(parent);
  return chain;
}

describe('Azure Monitor', () => {
  it('makes PUT /api/certificates/{name} one operation, with its logs and metrics, and never sends a secret value', { timeout: 90_000 }, async () => {
    // A secret with a canary value, in a trace of its own.
    const secretTrace = newTrace();
    const secret = await app.api.put(`/secrets/${uniqueName('monitored-secret')}`, { value: canaryValue }, { headers: { traceparent: traceparent(secretTrace) } });
    expect(secret.status, secret.text).toBeLessThan(300);

    const trace = newTrace();
    const response = await app.api.put(`/certificates/${uniqueName('monitored')}`, undefined, { headers: { traceparent: traceparent(trace) } });
    expect(response.status, response.text).toBe(202);
    const operation = await waitForOperation(app.api, response.headers.get('operation-location')!, 60_000);
    expect(operation.status).toBe('Succeeded');
    expect(operation.attempts).toBeGreaterThanOrEqual(2);
    expect(operation.traceId).toBe(trace.traceId);

    // Every invocation of the job (the first and the re-queued ones) is a request of the operation.
    const jobs = await until(() => {
      const found = receiver.operation(trace.traceId).filter((e) => e.data.baseType === 'RequestData' && e.data.baseData.properties?.['app.operation.id'] === operation.id);
      return found.length >= operation.attempts ? found : undefined;
    }, 'the job invocations to be exported');
    const all = receiver.operation(trace.traceId);
    const request = all.find((e) => e.data.baseType === 'RequestData' && parentOf(e) === trace.spanId);
    expect(request, JSON.stringify(all.map((e) => [e.data.baseType, e.data.baseData.name]))).toBeDefined();
    expect(request!.data.baseData).toMatchObject({ responseCode: '202', success: true });
    expect(new Set(jobs.map((job) => job.data.baseData.properties?.['app.job.attempt'])).size).toBe(jobs.length);
    for (const job of jobs) expect(parentOf(job)).toBe(idOf(request!));

    // Key Vault's calls (HTTP dependencies of the Azure SDK) are in the operation, under the job's
    // invocations: the create in one, the polls in later ones.
    const vaultCalls = all.filter((e) => e.data.baseType === 'RemoteDependencyData' && String(e.data.baseData.target ?? '').startsWith(app.emulator.vaultUrl));
    expect(vaultCalls.map((call) => call.data.baseData.name)).toContainEqual(expect.stringMatching(/^POST \/certificates\/.+\/create$/));
    const invocations = new Set(vaultCalls.flatMap((call) => ancestors(call, all).filter((parent) => jobs.includes(parent))).map(idOf));
    expect(invocations.size).toBeGreaterThanOrEqual(2);

    // The hand-over log line is a message of the operation, under a job invocation, with the job's properties.
    const handover = await until(
      () => receiver.operation(trace.traceId).find((e) => e.data.baseType === 'MessageData' && e.data.baseData.message?.startsWith(`Operation ${operation.id}:`)),
      'the hand-over log line',
    );
    expect(handover.data.baseData.properties).toMatchObject({ 'app.operation.id': operation.id, 'app.vault': 'default' });
    expect(jobs.map(idOf)).toContain(parentOf(handover));

    // The app's metrics, with their attributes as dimensions.
    await until(
      () => receiver.metric(METRICS.operationDuration, { kind: 'certificate.create', outcome: 'Succeeded', vault: 'default' }).length > 0,
      'the operation duration metric',
    );
    expect(receiver.metric(METRICS.vaultRequests, { vault: 'default', status: '2xx' }).length).toBeGreaterThan(0);
    expect(receiver.metric(METRICS.jobHandovers, { reason: 'poll-budget' }).length).toBeGreaterThan(0);

    // The secret's request was sent too, and no envelope holds its value.
    await until(() => receiver.operation(secretTrace.traceId).some((e) => e.data.baseType === 'RequestData'), "the secret request's telemetry");
    expect(receiver.bodies.filter((body) => body.includes(canaryValue))).toEqual([]);
  });

  it('sends only with the identity of APPLICATIONINSIGHTS_AUTHENTICATION_STRING, and every export is taken', async () => {
    expect(receiver.envelopes.length).toBeGreaterThan(0);
    // Each request carried a valid token for Azure Monitor, of the identity the ClientId names.
    expect(receiver.rejected).toBe(0);
    expect(new Set(receiver.callers)).toEqual(new Set([telemetryIdentity().objectId]));
    expect(receiver.envelopes.every((envelope) => envelope.iKey === receiver.instrumentationKey)).toBe(true);
    // Nothing was left for a later retry: the exporter keeps what it failed to send under the temporary directory.
    const kept = (await readdir(tmpDir, { recursive: true })).filter((file) => file.endsWith('.ai.json'));
    expect(kept).toEqual([]);
  });
});
