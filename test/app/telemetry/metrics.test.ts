// The app's metrics, seen from outside: an isolated app sends OTLP/HTTP to a receiver the test
// runs (its in-memory metric reader). After a rotation run with one failure (the webhook refuses one
// secret), a renewal, a job handed over to a re-queued message, a poison message and a throttled
// Key Vault request, every metric is there with its attributes, and no secret value or tag value
// (canaries) appears anywhere in what the app sent. Then, on the same app, a renewal that fails
// and a Key Vault request that gets no answer are counted too.
import http from 'node:http';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../../src/platform/telemetryMetrics.js';
import { uniqueName } from '../../support/api.js';
import { emulatorAdmin, startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import { OtlpReceiver } from '../../support/otlpReceiver.js';
import { waitForOperation } from '../../support/operations.js';
import { RotationTimer, until } from '../../support/rotation.js';
import { appVaultClients } from '../../support/vault.js';

const canaryValue = `CANARY-${Math.random().toString(36).slice(2)}-METRICS`;
const canaryTag = `CANARYTAG-${Math.random().toString(36).slice(2)}`;
const refused = uniqueName('metrics-refused');
let receiver: OtlpReceiver;
let webhook: http.Server;
let app: IsolatedApp;

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  // The rotation webhook refuses one secret: that rotation fails.
  webhook = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => response.writeHead((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name: string }).name === refused ? 503 : 204).end());
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const { port } = webhook.address() as { port: number };
  app = await startIsolatedApp({
    settings: { ...receiver.settings(), ROTATION_WEBHOOK_URL: `http://127.0.0.1:${port}/rotations`, JOB_POLL_BUDGET_SECONDS: '2' },
    emulator: { certificateCreateMs: 5_000 },
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await receiver?.stop();
  await new Promise((resolve) => webhook?.close(resolve));
});

describe('metrics', () => {
  it('records each metric, with classes for attributes and never a value or tag value', { timeout: 180_000 }, async () => {
    // A certificate whose creation outlasts one invocation's budget (a hand-over), then renewed.
    const certificate = uniqueName('metrics-cert');
    const created = await app.api.put(`/certificates/${certificate}`, undefined);
    expect((await waitForOperation(app.api, created.headers.get('operation-location')!, 100_000)).status).toBe('Succeeded');
    const renewed = await app.api.post(`/certificates/${certificate}/renew`);
    expect((await waitForOperation(app.api, renewed.headers.get('operation-location')!, 100_000)).status).toBe('Succeeded');

    // Two due secrets (one the webhook refuses), and one with no rotation policy that expires in 5 days.
    const rotatedAt = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const due = uniqueName('metrics-due');
    for (const name of [due, refused]) {
      await app.api.put(`/secrets/${name}`, { value: canaryValue, tags: { 'rotation-interval': 'P1D', 'rotated-at': rotatedAt, owner: canaryTag } });
    }
    await app.api.put(`/secrets/${uniqueName('metrics-expiring')}`, {
      value: canaryValue,
      expiresOn: new Date(Date.now() + 5 * 86_400_000).toISOString(),
      tags: { owner: canaryTag },
    });
    // Key Vault answers the run's first secret read 429 once (the SDK retries it).
    await emulatorAdmin(app.emulator, 'faults', { burst: { status: 429, count: 1 }, operations: ['getSecret'], retryAfterSeconds: 1 });
    const run = await new RotationTimer(app).run('a rotation run with one failure');
    expect(run).toMatchObject({ ran: true, rotated: 1, failed: 1 });

    // A job message that exhausted its deliveries.
    const poison = QueueServiceClient.fromConnectionString(app.storageConnectionString).getQueueClient(`${app.jobsQueue}-poison`);
    await poison.createIfNotExists();
    await poison.sendMessage(Buffer.from(JSON.stringify({ v: 1, operationId: crypto.randomUUID(), kind: 'certificate.create', name: 'gone', attempt: 0 })).toString('base64'));

    const vault = 'default';
    await until(() => receiver.latest(METRICS.poisonMessages), 'the poison message metric');
    await until(() => receiver.latest(METRICS.secretRotations, { vault, outcome: 'failed' }), 'the failed rotation metric');
    await until(() => receiver.latest(METRICS.expiring, { vault, within: '7d', policy: 'none' }), 'the near-expiry gauge');

    expect(receiver.latest(METRICS.secretRotations, { vault, outcome: 'rotated' })?.value).toBeGreaterThanOrEqual(1);
    expect(receiver.latest(METRICS.secretRotations, { vault, outcome: 'failed' })).toMatchObject({ value: 1, attributes: { reason: 'webhook' } });
    expect(receiver.latest(METRICS.certificateRenewals, { vault, outcome: 'renewed' })?.value).toBe(1);
    expect(receiver.latest(METRICS.expiring, { vault, within: '7d', policy: 'none' })?.value).toBeGreaterThanOrEqual(1);
    expect(receiver.latest(METRICS.expiring, { vault, within: '30d', policy: 'none' })?.value).toBeGreaterThanOrEqual(1);
    expect(receiver.latest(METRICS.operationDuration, { kind: 'certificate.create', outcome: 'Succeeded', vault })?.value).toBeGreaterThanOrEqual(1);
    expect(receiver.latest(METRICS.operationDuration, { kind: 'certificate.renew', outcome: 'Succeeded', vault })?.sum).toBeGreaterThan(0);
    expect(receiver.latest(METRICS.vaultRequests, { vault, status: '2xx' })?.value).toBeGreaterThan(5);
    expect(receiver.latest(METRICS.vaultThrottled, { vault })?.value).toBeGreaterThanOrEqual(1);
    expect(receiver.latest(METRICS.jobHandovers, { reason: 'poll-budget' })?.value).toBeGreaterThanOrEqual(1);
    expect(receiver.latest(METRICS.poisonMessages)?.value).toBe(1);

    // Classes only: no attribute of any metric holds a value or a tag value, and neither does
    // anything else the app sent (spans included).
    for (const point of receiver.points) {
      for (const value of Object.values(point.attributes)) {
        expect(String(value)).not.toContain('CANARY');
      }
    }
    expect(receiver.bodies.filter((body) => body.includes(canaryValue) || body.includes(canaryTag))).toEqual([]);
  });

  it('counts a renewal that fails, with its reason, and a Key Vault request that got no answer', { timeout: 60_000 }, async () => {
    const vault = 'default';
    await emulatorAdmin(app.emulator, 'settings', { certificateCreateMs: 200 });
    const certificate = uniqueName('metrics-failing');
    const created = await app.api.put(`/certificates/${certificate}`, undefined);
    expect((await waitForOperation(app.api, created.headers.get('operation-location')!)).status).toBe('Succeeded');
    // Its policy now names an issuer whose requests the emulator fails: the renewal fails in Key Vault.
    const { certificates } = appVaultClients(app.emulator.vaultUrl, { endpoint: app.emulator.identityEndpoint, header: app.emulator.identityHeader });
    await certificates.createIssuer('metrics-failing-ca', 'EmulatorFailure');
    await certificates.updateCertificatePolicy(certificate, { ...(await certificates.getCertificatePolicy(certificate)), issuerName: 'metrics-failing-ca' });
    const renewal = await app.api.post(`/certificates/${certificate}/renew`);
    expect(await waitForOperation(app.api, renewal.headers.get('operation-location')!)).toMatchObject({ status: 'Failed', error: { code: 'CertificateOperationFailed' } });
    const failed = await until(() => receiver.latest(METRICS.certificateRenewals, { vault, outcome: 'failed' }), 'the failed renewal metric');
    expect(failed).toMatchObject({ value: 1, attributes: { reason: 'CertificateOperationFailed' } });

    // Key Vault closes the connection of the next secret read without answering; the SDK's retry gets the secret.
    const secret = uniqueName('metrics-dropped');
    expect((await app.api.put(`/secrets/${secret}`, { value: 'v1' })).status).toBe(201);
    await emulatorAdmin(app.emulator, 'faults', { drop: { count: 1 }, operations: ['getSecret'] });
    expect((await app.api.get(`/secrets/${secret}`)).body).toMatchObject({ value: 'v1' });
    const unanswered = await until(() => receiver.latest(METRICS.vaultRequests, { vault, status: 'none' }), 'the unanswered request metric');
    expect(unanswered.value).toBe(1);
  });
});
