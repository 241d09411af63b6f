// A small OTLP/HTTP receiver (JSON encoding, what the app's OTLP/HTTP exporters send): the
// tests' in-memory exporter. An app started with OTEL_EXPORTER_OTLP_ENDPOINT=<receiver.endpoint>
// sends its spans and metrics here, and the test reads them back.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

type AnyValue = { stringValue?: string; intValue?: number | string; doubleValue?: number; boolValue?: boolean };
type KeyValue = { key: string; value: AnyValue };

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
  status?: { code?: number };
  links: { traceId: string; spanId: string }[];
  scope: string;
}

export interface ReceivedLog {
  body: string;
  severityText?: string;
  attributes: Record<string, string | number | boolean>;
  traceId?: string;
  spanId?: string;
}

export interface ReceivedPoint {
  metric: string;
  attributes: Record<string, string | number | boolean>;
  /** Sum and gauge points: the value; histograms: the count. */
  value: number;
  /** Histograms: the sum. */
  sum?: number;
}

const valueOf = (value: AnyValue): string | number | boolean =>
  value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined) ?? value.doubleValue ?? value.boolValue ?? '';
const attributesOf = (list: KeyValue[] | undefined) => Object.fromEntries((list ?? []).map(({ key, value }) => [key, valueOf(value)]));

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Every metric data point of every export, in arrival order (cumulative sums: the last is the total). */
  readonly points: ReceivedPoint[] = [];
  readonly logs: ReceivedLog[] = [];
  /** The raw request bodies, for checks that a string never appears in what the app sent. */
  readonly bodies: string[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpReceiver> {
    const server = createServer();
    const receiver = new OtlpReceiver(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          receiver.bodies.push(text);
          if (request.url === '/v1/traces') receiver.takeSpans(JSON.parse(text));
          else if (request.url === '/v1/metrics') receiver.takeMetrics(JSON.parse(text));
          else if (request.url === '/v1/logs') receiver.takeLogs(JSON.parse(text));
          response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } catch {
          response.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Settings that send the app's telemetry here, flushed quickly. */
  settings(): Record<string, string> {
    return {
      OTEL_EXPORTER_OTLP_ENDPOINT: this.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_BLRP_SCHEDULE_DELAY: '200',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
      OTEL_SERVICE_NAME: 'keyvault-functions-test',
    };
  }

  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  /** The latest point of `metric` whose attributes include `attributes`. */
  latest(metric: string, attributes: Record<string, string | number | boolean> = {}): ReceivedPoint | undefined {
    return this.points.filter((point) => point.metric === metric && Object.entries(attributes).every(([key, value]) => point.attributes[key] === value)).at(-1);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private takeSpans(body: any): void {
    for (const resource of body.resourceSpans ?? []) {
      for (const scope of resource.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId || undefined,
            name: span.name,
            kind: span.kind,
            attributes: attributesOf(span.attributes),
            status: span.status,
            links: (span.links ?? []).map((link: any) => ({ traceId: link.traceId, spanId: link.spanId })),
            scope: scope.scope?.name ?? '',
          });
        }
      }
    }
  }

  private takeLogs(body: any): void {
    for (const resource of body.resourceLogs ?? []) {
      for (const scope of resource.scopeLogs ?? []) {
        for (const record of scope.logRecords ?? []) {
          this.logs.push({
            body: String(record.body?.stringValue ?? ''),
            severityText: record.severityText,
            attributes: attributesOf(record.attributes),
            traceId: record.traceId || undefined,
            spanId: record.spanId || undefined,
          });
        }
      }
    }
  }

  private takeMetrics(body: any): void {
    for (const resource of body.resourceMetrics ?? []) {
      for (const scope of resource.scopeMetrics ?? []) {
        for (const metric of scope.metrics ?? []) {
          const data = metric.sum ?? metric.gauge ?? metric.histogram;
          for (const point of data?.dataPoints ?? []) {
            const value = metric.histogram ? Number(point.count) : Number(point.asInt ?? point.asDouble ?? 0);
            this.points.push({ metric: metric.name, attributes: attributesOf(point.attributes), value, ...(metric.histogram ? { sum: Number(point.sum) } : {}) });
          }
        }
      }
    }
  }
}
