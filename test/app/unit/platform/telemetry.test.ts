// Telemetry inside the process, with OpenTelemetry's in-memory span exporter: what turns telemetry
// on, spans and their parents, the trace context a job carries from the request that started it
// through a hand-over, the operation's trace id, and the classes that metrics and spans use.
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { CertificateClient } from '@azure/keyvault-certificates';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jobMessageSchema, traceContextOf, type JobMessage } from '../../../../src/jobs/message.js';
import { runCertificateJob } from '../../../../src/jobs/worker.js';
import { startOperation } from '../../../../src/operations/lifecycle.js';
import { InMemoryOperationStore } from '../../../../src/operations/memoryStore.js';
import { noTelemetry, telemetry, telemetryTarget, useTelemetry, TRACEPARENT } from '../../../../src/platform/telemetry.js';
import { openTelemetry } from '../../../../src/platform/telemetrySdk.js';
import { expiringCounts, failureClass } from '../../../../src/rotation/runTelemetry.js';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  provider.register();
  useTelemetry(openTelemetry({ flush: async () => undefined, shutdown: async () => undefined }));
});
afterAll(async () => {
  useTelemetry(noTelemetry);
  await provider.shutdown();
});
beforeEach(() => exporter.reset());

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT = 'b7ad6b7169203331';

describe('what turns telemetry on', () => {
  it('is nothing without a setting, Azure Monitor with a connection string (first), else OTLP', () => {
    expect(telemetryTarget({})).toBeUndefined();
    expect(telemetryTarget({ APPLICATIONINSIGHTS_CONNECTION_STRING: ' ' })).toBeUndefined();
    expect(telemetryTarget({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_METRIC_EXPORT_INTERVAL: '500' })).toEqual({
      kind: 'otlp',
      endpoint: 'http://collector:4318',
      metricIntervalMs: 500,
    });
    expect(
      telemetryTarget({
        APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=x',
        APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      }),
    ).toEqual({ kind: 'azure-monitor', connectionString: 'InstrumentationKey=x', authentication: 'Authorization=AAD' });
  });

  it('without telemetry, runs the work and has no trace context', async () => {
    expect(await noTelemetry.inSpan('x', {}, async (span) => span.traceId)).toBe('');
    expect(noTelemetry.currentContext()).toBeUndefined();
  });
});

describe('spans', () => {
  it('continues a given trace context, nests spans, and marks a failure with its class only', async () => {
    const inner = await telemetry().inSpan('outer', { kind: 'server', parent: { traceparent: `00-${TRACE}-${PARENT}-01` } }, async () =>
      telemetry().inSpan('inner', {}, async () => telemetry().currentContext()),
    );
    await expect(telemetry().inSpan('failing', {}, async () => Promise.reject(new TypeError('a message that may quote a value')))).rejects.toThrow(TypeError);
    const [innerSpan, outerSpan, failing] = exporter.getFinishedSpans();
    expect(outerSpan!.spanContext().traceId).toBe(TRACE);
    expect(outerSpan!.parentSpanContext?.spanId).toBe(PARENT);
    expect(innerSpan!.parentSpanContext?.spanId).toBe(outerSpan!.spanContext().spanId);
    expect(inner?.traceparent).toBe(`00-${TRACE}-${innerSpan!.spanContext().spanId}-01`);
    expect(failing!.status.code).toBe(2);
    expect(failing!.attributes['error.type']).toBe('TypeError');
    expect(JSON.stringify(failing!.attributes)).not.toContain('quote a value');
  });

  it('starts a new trace with parent null', async () => {
    await telemetry().inSpan('outer', { parent: { traceparent: `00-${TRACE}-${PARENT}-01` } }, () => telemetry().inSpan('root', { parent: null }, async () => undefined));
    const root = exporter.getFinishedSpans().find((span) => span.name === 'root')!;
    expect(root.spanContext().traceId).not.toBe(TRACE);
    expect(root.parentSpanContext).toBeUndefined();
  });
});

describe('trace context in job messages', () => {
  it('accepts only a valid traceparent and tracestate', () => {
    const job = { v: 1, operationId: crypto.randomUUID(), kind: 'certificate.delete', name: 'c', attempt: 0 };
    expect(jobMessageSchema.safeParse({ ...job, traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'vendor=1' }).success).toBe(true);
    for (const traceparent of [`00-${'0'.repeat(32)}-${PARENT}-01`, `00-${TRACE.toUpperCase()}-${PARENT}-01`, `01-${TRACE}-${PARENT}-01`, 'nonsense']) {
      expect(jobMessageSchema.safeParse({ ...job, traceparent }).success, traceparent).toBe(false);
      expect(traceContextOf({ traceparent }), traceparent).toBeUndefined();
    }
    expect(TRACEPARENT.test(`00-${TRACE}-${PARENT}-01`)).toBe(true);
  });

  it("is the starting request's, kept by every hand-over; the operation shows the trace id", async () => {
    const store = new InMemoryOperationStore();
    const queued: JobMessage[] = [];
    const queue = { enqueue: async (message: JobMessage) => void queued.push(message) };
    const events = { publish: async () => undefined };
    await telemetry().inSpan('PUT certificatesCreate', { kind: 'server', parent: { traceparent: `00-${TRACE}-${PARENT}-01` } }, () =>
      startOperation({ store, queue, events, log: () => undefined }, { kind: 'certificate.create', name: 'c', policy: { issuerName: 'Self', subject: 'CN=c' } }),
    );
    const job = queued.shift()!;
    expect(traceContextOf(job)?.traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
    expect((await store.get(job.operationId))!.traceId).toBe(TRACE);

    // A poller that never finishes within the budget: the job is handed over with the same context.
    const poller = { poll: async () => undefined, isDone: () => false, getResult: () => undefined, getOperationState: () => ({}), toString: () => '{"state":{}}' };
    const certificates = { vaultUrl: 'https://unit.vault.azure.net', beginCreateCertificate: async () => poller } as unknown as CertificateClient;
    await runCertificateJob(job, {
      vault: 'default',
      certificates,
      operations: store,
      queue,
      events,
      log: () => undefined,
      pollIntervalMs: 1,
      pollBudgetMs: 5,
      requeueDelaySeconds: 1,
    });
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ attempt: 1, traceparent: job.traceparent });
  });

  it('shows no trace id on an operation whose trace is not recorded (not sampled), yet carries its context', async () => {
    const store = new InMemoryOperationStore();
    const queued: JobMessage[] = [];
    await telemetry().inSpan('PUT certificatesDelete', { kind: 'server', parent: { traceparent: `00-${TRACE}-${PARENT}-00` } }, () =>
      startOperation(
        { store, queue: { enqueue: async (message) => void queued.push(message) }, events: { publish: async () => undefined }, log: () => undefined },
        { kind: 'certificate.delete', name: 'c' },
      ),
    );
    expect(queued[0]!.traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-00$`));
    expect((await store.get(queued[0]!.operationId))!.traceId).toBeUndefined();
  });

  it('leaves jobs without trace context while tracing is off', async () => {
    useTelemetry(noTelemetry);
    try {
      const store = new InMemoryOperationStore();
      const queued: JobMessage[] = [];
      await startOperation(
        { store, queue: { enqueue: async (message) => void queued.push(message) }, events: { publish: async () => undefined }, log: () => undefined },
        { kind: 'certificate.delete', name: 'c' },
      );
      expect(queued[0]!.traceparent).toBeUndefined();
      expect((await store.get(queued[0]!.operationId))!.traceId).toBeUndefined();
    } finally {
      useTelemetry(openTelemetry({ flush: async () => undefined, shutdown: async () => undefined }));
    }
  });
});

describe('classes', () => {
  it('classifies rotation failures without their text', () => {
    expect(failureClass('Key Vault answered 403 (Forbidden)')).toBe('vault-403');
    expect(failureClass('Key Vault answered 429 (Throttled)')).toBe('throttled');
    expect(failureClass('a call timed out')).toBe('timeout');
    expect(failureClass('the rotation webhook answered 503')).toBe('webhook');
    expect(failureClass('the generated value failed verification')).toBe('verification');
    expect(failureClass('anything else, say with a CANARY-value')).toBe('other');
  });

  it('counts objects near expiry by whether a policy renews them', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();
    const item = (kind: 'secret' | 'certificate', days: number, state: string, enabled = true) =>
      ({
        vault: 'default',
        kind,
        name: 'n',
        enabled,
        expiresOn: inDays(days),
        tags: {},
        path: '/',
        ...(kind === 'secret' ? { rotation: { state } } : { renewal: { state } }),
      }) as never;
    const counts = expiringCounts(
      [
        item('secret', 3, 'none'),
        item('secret', 20, 'scheduled'),
        item('certificate', -1, 'auto-renew'),
        item('certificate', 10, 'none'),
        item('secret', 40, 'none'),
        item('secret', 2, 'none', false),
      ],
      now,
    );
    expect(counts).toEqual({ within7Days: { managed: 1, unmanaged: 1 }, within30Days: { managed: 2, unmanaged: 2 } });
  });
});
