// OpenTelemetry for real: imported by telemetry.ts only when a target is configured, so that an
// app without telemetry never loads any of this.
import type * as AzureFunctions from '@azure/functions';
import { context, metrics, propagation, SpanKind as OtelSpanKind, SpanStatusCode, trace, type Context, type Link, type Span } from '@opentelemetry/api';
import {
  keepLogProperties,
  logProperties,
  type ActiveSpan,
  type AppMetrics,
  type Attributes,
  type SpanKind,
  type SpanOptions,
  type Telemetry,
  type TelemetryTarget,
  type TraceContext,
} from './telemetry.js';
import { createAppMetrics } from './telemetryMetrics.js';

const SERVICE = 'keyvault-functions';
type Functions = Pick<typeof AzureFunctions, 'app'>;
const kinds: Record<SpanKind, OtelSpanKind> = {
  server: OtelSpanKind.SERVER,
  client: OtelSpanKind.CLIENT,
  producer: OtelSpanKind.PRODUCER,
  consumer: OtelSpanKind.CONSUMER,
  internal: OtelSpanKind.INTERNAL,
};

/** Starts the SDK for `target` and returns the app's telemetry over it. */
/** `functions`: the app's `@azure/functions` module (its `app`), for the Functions hooks. */
export async function startSdk(target: TelemetryTarget, env: Record<string, string | undefined>, functions?: Functions): Promise<Telemetry> {
  await keepLogProperties();
  const shutdown = target.kind === 'azure-monitor' ? await startAzureMonitor(target, env, functions) : await startOtlp(target, env, functions);
  await instrumentAzureSdk();
  return openTelemetry(shutdown);
}

export interface Lifecycle {
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** The Azure Monitor distro, authenticating with Entra ID as infra configures it (local auth is off). */
async function startAzureMonitor(
  target: Extract<TelemetryTarget, { kind: 'azure-monitor' }>,
  env: Record<string, string | undefined>,
  functions?: Functions,
): Promise<Lifecycle> {
  const [{ useAzureMonitor, shutdownAzureMonitor, _getSdkInstance }, { resourceFromAttributes }, credential] = await Promise.all([
    load(import('@azure/monitor-opentelemetry')),
    load(import('@opentelemetry/resources')),
    monitorCredential(target.authentication, env),
  ]);
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString: target.connectionString, ...(credential ? { credential } : {}) },
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || SERVICE }),
    // The Azure SDK's spans come from instrumentAzureSdk (the distro's require hook never sees the
    // app's ES module imports, nor a bundle); the SDK's own HTTP spans make outgoing HTTP spans redundant.
    instrumentationOptions: { azureSdk: { enabled: false }, http: { enabled: false } },
    enableLiveMetrics: false,
    // Every trace, as the OTLP path: the distro's default (tracesPerSecond 5) re-decides at each span
    // with a remote parent (a request, each job invocation) at a rate that counts every span, so one
    // request's own Azure SDK spans could drop the next request's trace or a job's re-queued part.
    // OTEL_TRACES_SAMPLER still overrides it (microsoft.fixed_percentage keeps or drops whole traces).
    tracesPerSecond: 0,
    logRecordProcessors: [logPropertiesProcessor],
  });
  // The Functions instrumentation: the host's trace context for each invocation, and the logs sent
  // from the worker (the host then stops sending them itself), each with its work's properties
  // (logPropertiesProcessor).
  const { AzureFunctionsInstrumentationESM } = await load(import('@azure/functions-opentelemetry-instrumentation'));
  if (functions) new AzureFunctionsInstrumentationESM().registerAzFunc(functions as typeof AzureFunctions);
  return {
    flush: async () => {
      const sdk = _getSdkInstance() as unknown as { _tracerProvider?: { forceFlush(): Promise<void> }; _meterProvider?: { forceFlush(): Promise<void> } } | undefined;
      await Promise.allSettled([sdk?._tracerProvider?.forceFlush(), sdk?._meterProvider?.forceFlush()]);
    },
    // Exporting what is left may fail (no token, no network): the app stops regardless.
    shutdown: () => shutdownAzureMonitor().catch(() => undefined),
  };
}

/**
 * `APPLICATIONINSIGHTS_AUTHENTICATION_STRING` (`Authorization=AAD;ClientId=<guid>`, as the Functions
 * host reads it): Entra authentication with that user-assigned identity, or the system-assigned one.
 */
async function monitorCredential(authentication: string | undefined, env: Record<string, string | undefined>) {
  const fields = new Map(
    (authentication ?? '')
      .split(';')
      .map((part) => part.split('=').map((piece) => piece.trim()))
      .filter((pair): pair is [string, string] => pair.length === 2)
      .map(([key, value]) => [key.toLowerCase(), value]),
  );
  if (fields.get('authorization')?.toUpperCase() !== 'AAD') return undefined;
  const { DefaultAzureCredential, ManagedIdentityCredential } = await import('@azure/identity');
  if (env.AZURE_CREDENTIAL === 'developer') return new DefaultAzureCredential();
  const clientId = fields.get('clientid');
  return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
}

/**
 * Any OTLP/HTTP endpoint: the Node tracer provider (async-local context, W3C propagation) and a
 * meter provider, each with the OTLP/HTTP exporter (JSON), which reads OTEL_EXPORTER_OTLP_* itself.
 * The providers rather than the all-in-one NodeSDK: it loads every exporter and instrumentation
 * package it might use, about three times the start-up cost.
 */
async function startOtlp(target: Extract<TelemetryTarget, { kind: 'otlp' }>, env: Record<string, string | undefined>, functions?: Functions): Promise<Lifecycle> {
  const [
    { NodeTracerProvider, BatchSpanProcessor },
    { MeterProvider, PeriodicExportingMetricReader },
    { LoggerProvider, BatchLogRecordProcessor },
    { OTLPTraceExporter },
    { OTLPMetricExporter },
    { OTLPLogExporter },
    { resourceFromAttributes },
  ] = await Promise.all([
    load(import('@opentelemetry/sdk-trace-node')),
    load(import('@opentelemetry/sdk-metrics')),
    load(import('@opentelemetry/sdk-logs')),
    load(import('@opentelemetry/exporter-trace-otlp-http')),
    load(import('@opentelemetry/exporter-metrics-otlp-http')),
    load(import('@opentelemetry/exporter-logs-otlp-http')),
    load(import('@opentelemetry/resources')),
  ]);
  const resource = resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || SERVICE });
  const tracerProvider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
  tracerProvider.register();
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter(),
        exportIntervalMillis: target.metricIntervalMs,
        exportTimeoutMillis: Math.min(30_000, target.metricIntervalMs),
      }),
    ],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  // Every log line of the app (context.log and friends) as a log record of the active span, with
  // its work's properties as attributes; the host still prints and keeps it as before.
  const loggerProvider = new LoggerProvider({ resource, processors: [logPropertiesProcessor, new BatchLogRecordProcessor(new OTLPLogExporter())] });
  const logger = loggerProvider.getLogger(SERVICE);
  functions?.app.hook.log((hook) => {
    if (hook.category !== 'user') return;
    logger.emit({ body: hook.message, severityText: hook.level, severityNumber: SEVERITY[hook.level] ?? 0, context: context.active() });
  });
  return {
    flush: async () => {
      await Promise.allSettled([tracerProvider.forceFlush(), meterProvider.forceFlush(), loggerProvider.forceFlush()]);
    },
    shutdown: async () => {
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider.shutdown()]);
    },
  };
}

/**
 * Every Azure SDK client call (Key Vault, Storage) becomes a span, with its HTTP request as a child
 * that sends `traceparent`: the official Azure SDK instrumenter installed in `@azure/core-tracing`
 * directly, which works for ES modules and bundles alike (its require hook sees neither).
 */
async function instrumentAzureSdk(): Promise<void> {
  const [{ createAzureSdkInstrumentation }, coreTracing] = await Promise.all([
    load(import('@azure/opentelemetry-instrumentation-azure-sdk')),
    load(import('@azure/core-tracing')),
  ]);
  const instrumentation = createAzureSdkInstrumentation({ enabled: false });
  // getModuleDefinitions is public on InstrumentationBase, which the returned Instrumentation is.
  const definitions = [(instrumentation as unknown as { getModuleDefinitions(): unknown }).getModuleDefinitions()].flat() as { patch?: (exports: unknown) => unknown }[];
  for (const definition of definitions) definition.patch?.(coreTracing);
}

/**
 * A package's exports from `import()`, whatever module format it ships: a CommonJS package comes
 * as a namespace whose `default` is its `module.exports` and, in the bundle (esbuild picks some
 * packages' CommonJS build), nothing else; an ES module package as its named exports.
 */
async function load<T extends object>(module: Promise<T>): Promise<T> {
  const namespace = await module;
  const exports = (namespace as { default?: unknown }).default;
  return exports && typeof exports === 'object' ? ({ ...exports, ...namespace } as T) : namespace;
}

/** OpenTelemetry severity numbers of the Functions log levels. */
const SEVERITY: Record<string, number> = { trace: 1, debug: 5, information: 9, warning: 13, error: 17, critical: 21 };

/**
 * Adds the properties of the work a log record was written in (withLogProperties in telemetry.ts: operation id,
 * rotation id, vault alias, ...) to the record as attributes. It runs while the record is emitted,
 * in the writer's async context, before any exporter sees the record.
 */
const logPropertiesProcessor = {
  onEmit(record: { setAttributes(attributes: Record<string, string | number>): unknown }) {
    record.setAttributes(logProperties());
  },
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

const toAttributes = (attributes: Attributes | undefined) =>
  Object.fromEntries(Object.entries(attributes ?? {}).filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined));

function contextOf(parent: TraceContext): Context {
  return propagation.extract(context.active(), { traceparent: parent.traceparent, ...(parent.tracestate ? { tracestate: parent.tracestate } : {}) });
}

/** The app's telemetry over the registered global providers (exported for tests with an in-memory exporter). */
export function openTelemetry(lifecycle: Lifecycle): Telemetry {
  const tracer = trace.getTracer(SERVICE);
  const appMetrics: AppMetrics = createAppMetrics(metrics.getMeter(SERVICE));
  return {
    enabled: true,
    async inSpan(name, options: SpanOptions, work) {
      const parentContext = options.parent === null ? trace.deleteSpan(context.active()) : options.parent ? contextOf(options.parent) : context.active();
      const links: Link[] = (options.links ?? []).flatMap((link) => {
        const spanContext = trace.getSpanContext(contextOf(link));
        return spanContext ? [{ context: spanContext }] : [];
      });
      const span = tracer.startSpan(name, { kind: kinds[options.kind ?? 'internal'], attributes: toAttributes(options.attributes), links }, parentContext);
      const handle = activeSpan(span);
      try {
        return await context.with(trace.setSpan(parentContext, span), () => work(handle));
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.setAttribute('error.type', error instanceof Error ? error.name : typeof error);
        throw error;
      } finally {
        span.end();
      }
    },
    currentContext() {
      const carrier: Record<string, string> = {};
      propagation.inject(context.active(), carrier);
      return carrier.traceparent ? { traceparent: carrier.traceparent, ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}) } : undefined;
    },
    metrics: appMetrics,
    flush: () => lifecycle.flush(),
    shutdown: () => lifecycle.shutdown(),
  };
}

function activeSpan(span: Span): ActiveSpan {
  return {
    traceId: span.spanContext().traceId,
    setAttributes: (attributes) => span.setAttributes(toAttributes(attributes)),
    fail: (reason) => {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute('error.type', reason);
    },
  };
}
