// Certificate jobs against a vault that fails: transient failures are retried by the SDK and the
// queue until they succeed; a job that never succeeds reaches the poison queue and its operation
// fails with the last error. Each case runs its own app and vault (faults are global to a vault).
import { QueueServiceClient } from '@azure/storage-queue';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { uniqueName } from '../../support/api.js';
import { emulatorAdmin, emulatorCounters, startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import { waitForOperation } from '../../support/operations.js';

// Faster redelivery than production (host.json says 10 s and 5 deliveries).
const quickRetries = {
  AzureFunctionsJobHost__extensions__queues__visibilityTimeout: '00:00:01',
  AzureFunctionsJobHost__extensions__queues__maxDequeueCount: '2',
};

let app: IsolatedApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

describe('certificate jobs under failures', () => {
  it('every operation succeeds with 20 % of vault calls answered 429 or 503', { timeout: 240_000 }, async () => {
    app = await startIsolatedApp({ emulator: { certificateCreateMs: 500 } });
    await emulatorAdmin(app.emulator, 'faults', { throttleRate: 0.1, unavailableRate: 0.1, retryAfterSeconds: 1 });
    const names = Array.from({ length: 8 }, () => uniqueName('flaky'));
    const accepted = [];
    for (const name of names) {
      // The API itself may meet a fault after the SDK's retries: the caller retries, as clients do.
      for (let attempt = 0; ; attempt++) {
        const response = await app.api.put(`/certificates/${name}`, undefined);
        if (response.status === 202) {
          accepted.push(response);
          break;
        }
        expect([429, 503], response.text).toContain(response.status);
        expect(attempt).toBeLessThan(10);
      }
    }
    const operations = await Promise.all(accepted.map((r) => waitForOperation(app!.api, r.headers.get('operation-location')!, 200_000)));
    expect(operations.map((o) => o.status)).toEqual(names.map(() => 'Succeeded'));
    await emulatorAdmin(app.emulator, 'faults', { throttleRate: 0, unavailableRate: 0 });
    for (const name of names) expect((await app.api.get(`/certificates/${name}/versions`)).body.value, name).toHaveLength(1);
    const counters = await emulatorCounters(app.emulator);
    const injected = Object.values(counters.operations).reduce((sum, op) => sum + (op.statuses['429'] ?? 0) + (op.statuses['503'] ?? 0), 0);
    expect(injected).toBeGreaterThan(0);
  });

  it('a job that keeps failing ends in the poison queue and fails its operation with the last error', { timeout: 120_000 }, async () => {
    app = await startIsolatedApp({ settings: quickRetries });
    await emulatorAdmin(app.emulator, 'faults', { unavailableRate: 1, operations: ['createCertificate'], retryAfterSeconds: 1 });
    const name = uniqueName('doomed');
    const response = await app.api.put(`/certificates/${name}`, undefined);
    expect(response.status).toBe(202);
    const operation = await waitForOperation(app.api, response.headers.get('operation-location')!, 100_000);
    expect(operation).toMatchObject({ status: 'Failed', attempts: 2, error: { code: 'VaultUnavailable' } });
    // Only the poison queue's function says how many attempts it gave up after.
    expect(operation.error.message).toMatch(/gave up after 2 attempt/);
    // The host created the poison queue to move the job there (nothing else creates it), and the
    // poison function consumed it; the job is not redelivered either.
    const queues = QueueServiceClient.fromConnectionString(inject('storage').connectionString);
    const poison = queues.getQueueClient(`${app.jobsQueue}-poison`);
    expect(await poison.exists()).toBe(true);
    const messages = async () => [
      (await poison.getProperties()).approximateMessagesCount,
      (await queues.getQueueClient(app!.jobsQueue).getProperties()).approximateMessagesCount,
    ];
    for (let waited = 0; (await messages()).some((count) => count !== 0); waited += 200) {
      expect(waited, `messages left on the job and poison queues: ${await messages()}`).toBeLessThan(60_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Key Vault refused every create: there is no certificate, and the operation stays failed.
    const { operations } = await emulatorCounters(app.emulator);
    expect(operations['createCertificate']?.statuses).toEqual({ '503': operations['createCertificate']?.calls });
    expect((await app.api.get(`/certificates/${name}`)).status).toBe(404);
    expect((await app.api.get(response.headers.get('operation-location')!)).body).toMatchObject({ status: 'Failed', attempts: 2 });
  });

  it('a create that meets a name Key Vault is still purging is retried, not failed', { timeout: 120_000 }, async () => {
    app = await startIsolatedApp({
      settings: { ...quickRetries, AzureFunctionsJobHost__extensions__queues__maxDequeueCount: '50' },
    });
    const name = uniqueName('repurge');
    // What the vault holds while it carries out a purge of the name (see the emulator's timing
    // model): nothing but the name, refused with 409 ObjectIsBeingDeleted until it is done.
    const purging = { kind: 'certificate', name, versions: [], transition: { kind: 'purging' as const, untilMs: Date.now() + 600_000 } };
    await app.emulator.store.transaction('localhost', (tx) => tx.put(purging));
    const response = await app.api.put(`/certificates/${name}`, undefined);
    expect(response.status).toBe(202);
    const location = response.headers.get('operation-location')!;

    const refusals = () => app!.emulator.counters.snapshot().operations['createCertificate']?.statuses['409'] ?? 0;
    for (let waited = 0; refusals() < 2; waited += 100) {
      expect(waited, 'the job did not retry after Key Vault refused it').toBeLessThan(60_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await app.api.get(location)).body.status).not.toBe('Failed');

    await app.emulator.store.transaction('localhost', (tx) => tx.remove('certificate', name));
    expect(await waitForOperation(app.api, location, 60_000)).toMatchObject({ status: 'Succeeded' });
    expect((await app.api.get(`/certificates/${name}/versions`)).body.value).toHaveLength(1);
  });

  it('a permanent refusal fails the operation at once, without retries', { timeout: 60_000 }, async () => {
    app = await startIsolatedApp({ settings: quickRetries });
    const system = app.emulator.principals.find((p) => p.name === 'system')!;
    await emulatorAdmin(app.emulator, 'role-assignments', [
      { principalId: system.objectId, role: 'Key Vault Certificate User' },
      { principalId: system.objectId, role: 'Key Vault Reader' },
    ]);
    const name = uniqueName('denied');
    const response = await app.api.put(`/certificates/${name}`, undefined);
    expect(response.status).toBe(202);
    const operation = await waitForOperation(app.api, response.headers.get('operation-location')!, 50_000);
    expect(operation).toMatchObject({ status: 'Failed', attempts: 1, error: { code: 'VaultAccessDenied' } });
  });
});
