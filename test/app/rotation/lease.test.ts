// The run lease on Azurite's blob leases, and two rotation runs against a Key Vault emulator when
// the first run's lease is broken mid-run and a second run takes over: every due secret gets
// exactly one new version and one SecretRotated event.
import path from 'node:path';
import type { SecretClient } from '@azure/keyvault-secrets';
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningEmulator } from '../../../local/keyvault/index.js';
import { QueueEventPublisher, ReliableEventPublisher, type VaultEvent } from '../../../src/platform/events.js';
import { TableOutbox } from '../../../src/platform/outbox.js';
import { LeaseLostError, withRunLease } from '../../../src/platform/runLease.js';
import { LEASE_LOST, RotationEngine } from '../../../src/rotation/engine.js';
import { runScheduledRotation, type ScheduledRotationResult } from '../../../src/rotation/run.js';
import { uniqueName } from '../../support/api.js';
import { emulatorAdmin } from '../../support/isolatedApp.js';
import { localSecretClient, startTestEmulator } from '../../local/keyvault/helpers.js';

const storage = inject('storage');
const blobs = BlobServiceClient.fromConnectionString(storage.connectionString);
const leaseClient = (name: string) => blobs.getContainerClient('run-leases').getBlobClient(name).getBlobLeaseClient();

describe('run lease on blob storage', () => {
  it('keeps a second run out while held, and lets the next one in after release', async () => {
    const name = uniqueName('lease');
    const first = await withRunLease(blobs, name, async () => withRunLease(blobs, name, async () => 'second ran'), { durationSeconds: 15 });
    expect(first).toEqual({ ran: true, result: { ran: false }, leaseLost: false });
    expect(await withRunLease(blobs, name, async () => 'third ran', { durationSeconds: 15 })).toEqual({ ran: true, result: 'third ran', leaseLost: false });
  });

  it('finds a broken lease lost at the next check', async () => {
    const name = uniqueName('lease');
    const result = await withRunLease(
      blobs,
      name,
      async (lease) => {
        await lease.assertHeld();
        await leaseClient(name).breakLease(0);
        await expect(lease.assertHeld()).rejects.toBeInstanceOf(LeaseLostError);
        return lease.signal.aborted;
      },
      { durationSeconds: 15 },
    );
    expect(result).toEqual({ ran: true, result: true, leaseLost: true });
  });

  it('finds a lease taken by another holder lost at the next check', async () => {
    const name = uniqueName('lease');
    const other = leaseClient(name);
    const result = await withRunLease(
      blobs,
      name,
      async (lease) => {
        await other.breakLease(0);
        await other.acquireLease(15);
        await expect(lease.assertHeld()).rejects.toBeInstanceOf(LeaseLostError);
        return lease.signal.aborted;
      },
      { durationSeconds: 15 },
    );
    expect(result).toEqual({ ran: true, result: true, leaseLost: true });
    await other.releaseLease();
  });
});

describe('two rotation runs and a broken lease', () => {
  const SECRETS = 30;
  const CALL_TIMEOUT_MS = 3_000;
  let emulator: RunningEmulator;
  let secrets: SecretClient;

  beforeAll(async () => {
    // The shared stack's CA, which test processes already trust (for the admin route).
    emulator = await startTestEmulator({ caDir: path.dirname(inject('stack').vault.caFile) });
    secrets = localSecretClient(emulator);
  });
  afterAll(async () => emulator?.stop());

  it('rotates each due secret exactly once when run A loses its lease to run B mid-run', { timeout: 120_000 }, async () => {
    const names = Array.from({ length: SECRETS }, (_, i) => `leaserot-${i}-${Math.random().toString(36).slice(2, 8)}`);
    const expiresOn = new Date(Date.now() + 86_400_000);
    // Due now (expires within the 2-day window); the new version's 30-day validity is not due.
    for (const name of names) await secrets.setSecret(name, 'v0', { expiresOn, tags: { 'rotate-before-expiry': 'P2D', validity: 'P30D' } });
    await emulatorAdmin(emulator, 'faults', { latencyMs: 40 });

    const suffix = Math.random().toString(36).slice(2, 10);
    const queue = QueueServiceClient.fromConnectionString(storage.connectionString).getQueueClient(`events-${suffix}`);
    const outbox = new TableOutbox(TableClient.fromConnectionString(storage.connectionString, `ops${suffix}`, { allowInsecureConnection: true }));
    const events = new ReliableEventPublisher(new QueueEventPublisher(queue), outbox);
    const leaseName = uniqueName('rotation');
    const writesStarted = { A: 0, B: 0 };
    const run = (label: 'A' | 'B') =>
      runScheduledRotation({
        blobs,
        leaseName,
        lease: { durationSeconds: 15, takeoverGraceMs: CALL_TIMEOUT_MS },
        events,
        secrets: new RotationEngine({
          secrets,
          events,
          hook: { beforeWrite: async () => void writesStarted[label]++ },
          concurrency: 3,
          callTimeoutMs: CALL_TIMEOUT_MS,
          log: () => undefined,
        }),
        renewCertificates: async () => ({ nearExpiry: 0, started: 0, failed: 0 }),
        log: () => undefined,
      });

    const runA = run('A');
    for (let i = 0; i < 400 && writesStarted.A < 5; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(writesStarted.A).toBeGreaterThanOrEqual(5);
    await leaseClient(leaseName).breakLease(0);
    const runB = run('B');
    const [a, b] = (await Promise.all([runA, runB])) as [ScheduledRotationResult & { ran: true }, ScheduledRotationResult & { ran: true }];
    await emulatorAdmin(emulator, 'faults', { latencyMs: 0 });

    expect(a).toMatchObject({ ran: true, leaseLost: true, failedSteps: [] });
    expect(b).toMatchObject({ ran: true, leaseLost: false, failedSteps: [] });
    // A stopped: what it did not rotate it reports skipped for lease loss, never failed.
    const outcomesA = a.secrets!.outcomes;
    expect(outcomesA.filter((o) => o.status === 'failed')).toEqual([]);
    expect(outcomesA.filter((o) => o.status === 'skipped' && o.reason === LEASE_LOST).length).toBeGreaterThan(0);
    expect(a.certificates).toBeUndefined();
    const rotatedBy = (result: typeof a) => result.secrets!.outcomes.filter((o) => o.status === 'rotated').map((o) => o.name);
    expect([...rotatedBy(a), ...rotatedBy(b)].sort()).toEqual([...names].sort());

    for (const name of names) {
      let versions = 0;
      for await (const _ of secrets.listPropertiesOfSecretVersions(name)) versions++;
      expect(versions, name).toBe(2);
    }
    const published: VaultEvent[] = [];
    for (let batch; (batch = (await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 })).receivedMessageItems).length > 0;) {
      published.push(...batch.map((m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as VaultEvent));
    }
    expect(
      published
        .filter((e) => e.type === 'SecretRotated')
        .map((e) => e.name)
        .sort(),
    ).toEqual([...names].sort());
    expect(await outbox.list(10)).toEqual([]);
    await queue.delete();
  });
});
