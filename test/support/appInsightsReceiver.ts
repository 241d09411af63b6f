// A small Application Insights ingestion endpoint (Breeze, `POST <IngestionEndpoint>/v2.1/track`),
// what the Azure Monitor exporter sends to: the tests' in-memory Application Insights. Like the
// real service with local auth off, it takes telemetry only with an Entra bearer token for Azure
// Monitor: here one the local identity endpoint signed (audience https://monitor.azure.com, the
// resource of the exporter's scope https://monitor.azure.com/.default). It serves HTTPS with a
// certificate of the local stack's CA: the exporter rewrites an http:// ingestion endpoint to
// https://, and the Azure SDK refuses to send a bearer token over plain HTTP anyway.
// The exporter: https://github.com/Azure/azure-sdk-for-js/tree/main/sdk/monitor/monitor-opentelemetry-exporter
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { ensureLocalCa, issueServerCertificate } from '../../local/tls/index.js';

export const MONITOR_AUDIENCE = 'https://monitor.azure.com';
export const TRACK_PATH = '/v2.1/track';

export interface Envelope {
  name: string;
  time: string;
  iKey: string;
  tags: Record<string, string>;
  data: { baseType: string; baseData: Record<string, any> & { properties?: Record<string, string> } };
}

export interface AppInsightsReceiverOptions {
  /** The local CA's directory (the app trusts it through NODE_EXTRA_CA_CERTS). */
  caDir: string;
  /** Whose tokens are accepted: the local identity endpoint's issuer and public keys. */
  identity: { issuer: string; jwks: JSONWebKeySet };
}

export class AppInsightsReceiver {
  readonly envelopes: Envelope[] = [];
  /** The raw (decompressed) request bodies, for checks that a string never appears in what the app sent. */
  readonly bodies: string[] = [];
  /** The `oid` of each accepted request's token. */
  readonly callers: string[] = [];
  /** Requests refused: no bearer token, or not a valid one for Azure Monitor (401), or another path (404). */
  rejected = 0;
  readonly instrumentationKey = randomUUID();

  private constructor(private readonly server: Server) {}

  static async start(options: AppInsightsReceiverOptions): Promise<AppInsightsReceiver> {
    const certificate = await issueServerCertificate(await ensureLocalCa(options.caDir), []);
    const keys = createLocalJWKSet(options.identity.jwks);
    const server = createServer({ key: certificate.keyPem, cert: certificate.chainPem });
    const receiver = new AppInsightsReceiver(server);
    const verify = async (authorization: string | undefined) => {
      const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
      if (!token) return undefined;
      const { payload } = await jwtVerify(token, keys, { issuer: options.identity.issuer, audience: MONITOR_AUDIENCE }).catch(() => ({ payload: undefined }));
      return typeof payload?.oid === 'string' ? payload.oid : undefined;
    };
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        if (request.method !== 'POST' || request.url !== TRACK_PATH) {
          receiver.rejected++;
          return response.writeHead(404).end();
        }
        const caller = await verify(request.headers.authorization);
        if (!caller) {
          receiver.rejected++;
          return response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ itemsReceived: 0, itemsAccepted: 0, errors: [] }));
        }
        try {
          const raw = Buffer.concat(chunks);
          const text = (request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
          // A JSON array of envelopes, or one envelope per line (x-json-stream): Breeze takes both.
          const envelopes = (
            text.trimStart().startsWith('[')
              ? JSON.parse(text)
              : text
                  .split('\n')
                  .filter((line) => line.trim())
                  .map((line) => JSON.parse(line))
          ) as Envelope[];
          receiver.bodies.push(text);
          receiver.envelopes.push(...envelopes);
          receiver.callers.push(caller);
          const n = envelopes.length;
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ itemsReceived: n, itemsAccepted: n, errors: [] }));
        } catch {
          response.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  /** `https://localhost:<port>`: a name the server certificate covers. */
  get endpoint(): string {
    return `https://localhost:${(this.server.address() as AddressInfo).port}`;
  }

  get connectionString(): string {
    return `InstrumentationKey=${this.instrumentationKey};IngestionEndpoint=${this.endpoint}/`;
  }

  /** Envelopes of one type (`RequestData`, `RemoteDependencyData`, `MessageData`, `MetricData`, ...). */
  ofType(baseType: string): Envelope[] {
    return this.envelopes.filter((envelope) => envelope.data?.baseType === baseType);
  }

  /** Envelopes of one operation (the `ai.operation.id` tag: the trace id). */
  operation(operationId: string): Envelope[] {
    return this.envelopes.filter((envelope) => envelope.tags?.['ai.operation.id'] === operationId);
  }

  /** MetricData envelopes of `metric` whose properties (dimensions) include `properties`. */
  metric(metric: string, properties: Record<string, string> = {}): Envelope[] {
    return this.ofType('MetricData').filter(
      (envelope) =>
        envelope.data.baseData.metrics?.some((point: { name: string }) => point.name === metric) &&
        Object.entries(properties).every(([key, value]) => envelope.data.baseData.properties?.[key] === value),
    );
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
