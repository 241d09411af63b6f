// The app's one door to OpenTelemetry. Nothing here imports an OpenTelemetry package: when
// neither APPLICATIONINSIGHTS_CONNECTION_STRING nor OTEL_EXPORTER_OTLP_ENDPOINT is set, every
// call below is a no-op and no OpenTelemetry module is ever loaded (an instance pays nothing for
// telemetry it does not send). When one is set, `startTelemetry()` imports `telemetrySdk.ts`
// (the SDK, its exporters and the Azure SDK instrumentation) once, and every invocation waits for
// it with `telemetryReady()` before it does any work.

import type * as AzureFunctions from '@azure/functions';
import type { AsyncLocalStorage } from 'node:async_hooks';

/** W3C trace context (https://www.w3.org/TR/trace-context/): what a job message carries. */
export interface TraceContext {
  traceparent: string;
  tracestate?: string;
}

/** `version-traceid-parentid-flags`, version 00, neither id all zeros. */
export const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;
/** list-members of `key=value`, at most 512 characters (the spec's limit). */
export const TRACESTATE = /^[\x20-\x7e]{0,512}$/;

/** The trace id of a traceparent. */
export const traceIdOf = (traceparent: string) => traceparent.split('-')[1]!;

/** A trace context from its two parts if the traceparent is valid (an invalid tracestate is left out). */
export function traceContext(traceparent: unknown, tracestate?: unknown): TraceContext | undefined {
  if (typeof traceparent !== 'string' || !TRACEPARENT.test(traceparent)) return undefined;
  return { traceparent, ...(typeof tracestate === 'string' && TRACESTATE.test(tracestate) ? { tracestate } : {}) };
}

/** The trace context the Functions host gives an invocation (in Azure), if valid. */
export const invocationTraceContext = (context: Pick<AzureFunctions.InvocationContext, 'traceContext'>): TraceContext | undefined =>
  traceContext(context.traceContext?.traceParent, context.traceContext?.traceState);

/** Whether the trace is recorded (the sampled flag): only then can its id be looked up. */
export const isSampled = (traceparent: string) => (parseInt(traceparent.split('-')[3] ?? '0', 16) & 1) === 1;

export type SpanKind = 'server' | 'client' | 'producer' | 'consumer' | 'internal';
export type Attributes = Record<string, string | number | boolean | undefined>;

export interface SpanOptions {
  kind?: SpanKind;
  /** The span's parent; without it, the active span (if any). `null`: a new trace. */
  parent?: TraceContext | null;
  /** Spans this one relates to without being their child (e.g. the host's invocation). */
  links?: TraceContext[];
  attributes?: Attributes;
}

export interface ActiveSpan {
  /** Empty when telemetry is off. */
  readonly traceId: string;
  setAttributes(attributes: Attributes): void;
  /** Marks the span failed; `reason` is a class (e.g. an error name or code), never a message. */
  fail(reason: string): void;
}

/** Outcome classes only: never a value, a tag value or an error message. */
export interface AppMetrics {
  secretRotation(vault: string, outcome: 'rotated' | 'failed', reason?: string): void;
  certificateRenewal(vault: string, outcome: 'renewed' | 'failed', reason?: string): void;
  operationFinished(kind: string, outcome: string, durationMs: number, vault: string): void;
  vaultResponse(vault: string, status: number | undefined): void;
  jobHandover(reason: 'poll-budget' | 'throttled' | 'lease-held'): void;
  poisonMessage(): void;
  /** What a run found in a vault: objects expiring within 7 and 30 days (gauges, the last run per vault). */
  expiring(vault: string, counts: ExpiringCounts): void;
}

/** Objects (secrets and certificates) expiring within 7 / 30 days, split by whether anything renews them. */
export interface ExpiringCounts {
  within7Days: { managed: number; unmanaged: number };
  within30Days: { managed: number; unmanaged: number };
}

export interface Telemetry {
  readonly enabled: boolean;
  inSpan<T>(name: string, options: SpanOptions, work: (span: ActiveSpan) => Promise<T>): Promise<T>;
  /** The active span's context, to send along (a job message); undefined when off or outside a span. */
  currentContext(): TraceContext | undefined;
  readonly metrics: AppMetrics;
  /** Sends what is buffered (end of a timer run, process exit). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

const noSpan: ActiveSpan = { traceId: '', setAttributes: () => undefined, fail: () => undefined };
const noop = () => undefined;

export const noTelemetry: Telemetry = {
  enabled: false,
  inSpan: (_name, _options, work) => work(noSpan),
  currentContext: () => undefined,
  metrics: {
    secretRotation: noop,
    certificateRenewal: noop,
    operationFinished: noop,
    vaultResponse: noop,
    jobHandover: noop,
    poisonMessage: noop,
    expiring: noop,
  },
  flush: async () => undefined,
  shutdown: async () => undefined,
};

/** Where telemetry goes, from the app settings; undefined: nowhere (nothing is loaded). */
export type TelemetryTarget = { kind: 'azure-monitor'; connectionString: string; authentication?: string } | { kind: 'otlp'; endpoint: string; metricIntervalMs: number };

export function telemetryTarget(env: Record<string, string | undefined>): TelemetryTarget | undefined {
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
  if (connectionString) return { kind: 'azure-monitor', connectionString, authentication: env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING?.trim() || undefined };
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (endpoint) {
    const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL);
    return { kind: 'otlp', endpoint, metricIntervalMs: Number.isInteger(interval) && interval > 0 ? interval : 60_000 };
  }
  return undefined;
}

let current: Telemetry = noTelemetry;
let starting: Promise<Telemetry> | undefined;

/**
 * Starts telemetry for `env` (the app settings) once per process: nothing when no target is set.
 * A failure to start is logged and leaves telemetry off; the app works regardless. `functions`:
 * the app's `@azure/functions` (its `app`), whose hooks telemetry registers; passed in rather than
 * imported by the SDK module, which keeps the bundle's start-up chunks as they were.
 */
export function startTelemetry(env: Record<string, string | undefined> = process.env, functions?: Pick<typeof AzureFunctions, 'app'>): Promise<Telemetry> {
  starting ??= (async () => {
    const target = telemetryTarget(env);
    if (!target) return noTelemetry;
    try {
      const { startSdk } = await import('./telemetrySdk.js');
      current = await startSdk(target, env, functions);
    } catch (error) {
      console.error(`[telemetry] not started: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}`);
    }
    return current;
  })();
  return starting;
}

/** Telemetry once it has started (no-op when not configured); every trigger awaits this first. */
export const telemetryReady = (): Promise<Telemetry> => startTelemetry();

/** The process's telemetry as it is now (no-op until started, and when not configured). */
export const telemetry = (): Telemetry => current;

/** For tests: telemetry as given (e.g. backed by an in-memory exporter). */
export function useTelemetry(instance: Telemetry): void {
  current = instance;
  starting = Promise.resolve(instance);
}

// Log properties: what every log line of a piece of work carries (operation id, rotation id, vault
// alias, ...), kept for the duration of that work in async-local storage, so that a log line written
// anywhere inside it gets them without each call site passing them along. Telemetry attaches them to
// each log record it sends as attributes (telemetrySdk.ts); ids and names only, never a value. Only
// telemetry reads them, so the storage exists only once telemetry has started: without it
// `withLogProperties` just runs the work, and `node:async_hooks` is not loaded. (Here rather than in
// a module of their own: each module the app loads at start-up is one more chunk of the bundle to
// resolve, and start-up stays as it was.)

export type LogProperties = Record<string, string | number | undefined>;

let scope: AsyncLocalStorage<Readonly<Record<string, string | number>>> | undefined;

/** Called by telemetry when it starts: from then on, work keeps its log properties. */
export async function keepLogProperties(): Promise<void> {
  const { AsyncLocalStorage } = await import('node:async_hooks');
  scope ??= new AsyncLocalStorage();
}

/** Runs `work` with `properties` added to those of the enclosing work (undefined ones are left out). */
export function withLogProperties<T>(properties: LogProperties, work: () => T): T {
  if (!scope) return work();
  const defined = Object.fromEntries(Object.entries(properties).filter((entry): entry is [string, string | number] => entry[1] !== undefined));
  return scope.run({ ...scope.getStore(), ...defined }, work);
}

/** The properties of the work this runs in (empty outside any, and while telemetry is off). */
export function logProperties(): Readonly<Record<string, string | number>> {
  return scope?.getStore() ?? {};
}
