// The crash test: the host (and its worker) is SIGKILLed at random moments while 50 certificate
// jobs (30 creates, 20 deletes) run, then restarted each time; every operation must still end
// Succeeded, with exactly one Key Vault create per new certificate and one delete per deleted one
// (the emulator's counters), one version per new certificate and every deleted one deleted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../support/api.js';
import { emulatorAdmin, emulatorCounters, startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import { waitForOperation } from '../../support/operations.js';

const CREATES = 30;
const DELETES = 20;
const KILLS = 5;

let app: IsolatedApp;

beforeAll(async () => {
  app = await startIsolatedApp({
    settings: {
      // Messages of a killed host reappear after 5 s instead of Azure's 10 min.
      LOCAL_HOST_QUEUE_MESSAGE_LEASE_SECONDS: '5',
      AzureFunctionsJobHost__extensions__queues__visibilityTimeout: '00:00:01',
    },
  });
}, 120_000);
afterAll(async () => app?.stop());

/** Key Vault calls of one kind answered with `status`, from the emulator's counters. */
async function answered(operation: string, status: number): Promise<number> {
  return (await emulatorCounters(app.emulator)).operations[operation]?.statuses[String(status)] ?? 0;
}

const operationLocation = (response: { headers: Headers }) => response.headers.get('operation-location')!;

describe('crash safety of certificate jobs', () => {
  it(`${CREATES} creates and ${DELETES} deletes survive ${KILLS} SIGKILLs of the host`, { timeout: 600_000 }, async () => {
    // Certificates to delete, created before the storm.
    const toDelete = Array.from({ length: DELETES }, () => uniqueName('crash-del'));
    const prepared = await Promise.all(toDelete.map((name) => app.api.put(`/certificates/${name}`, undefined)));
    expect(prepared.map((r) => r.status)).toEqual(prepared.map(() => 202));
    const preparedOperations = await Promise.all(prepared.map((r) => waitForOperation(app.api, operationLocation(r), 240_000)));
    expect(preparedOperations.map((o) => o.status)).toEqual(preparedOperations.map(() => 'Succeeded'));

    // Key Vault takes 2 s per certificate, so that operations are in flight when the host dies.
    await emulatorAdmin(app.emulator, 'settings', { certificateCreateMs: 2_000 });
    const before = { creates: await answered('createCertificate', 202), deletes: await answered('deleteCertificate', 200) };

    const toCreate = Array.from({ length: CREATES }, () => uniqueName('crash-new'));
    const accepted = await Promise.all([
      ...toCreate.map((name) => app.api.put(`/certificates/${name}`, undefined)),
      ...toDelete.map((name) => app.api.delete(`/certificates/${name}`)),
    ]);
    expect(accepted.map((r) => r.status)).toEqual(accepted.map(() => 202));

    const hostPids = [app.host.child.pid];
    for (let kill = 0; kill < KILLS; kill++) {
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 2_500));
      await app.crashAndRestartHost();
      hostPids.push(app.host.child.pid);
    }
    // Every kill ended a host process and a new one took over.
    expect(new Set(hostPids).size).toBe(KILLS + 1);

    // Generous: a killed invocation's claim on its operation only lapses after 30 s.
    const operations = await Promise.all(accepted.map((r) => waitForOperation(app.api, operationLocation(r), 400_000)));
    expect(operations.map((o) => `${o.target.name}: ${o.status}`)).toEqual(operations.map((o) => `${o.target.name}: Succeeded`));
    expect(operations.map((o) => o.target.name)).toEqual([...toCreate, ...toDelete]);
    // The kills hit work in progress: some operations had to be taken up again after a crash.
    expect(operations.filter((o) => o.attempts > 1).length).toBeGreaterThan(0);

    // No duplicate work: Key Vault started each certificate once and deleted each one once.
    expect(await answered('createCertificate', 202)).toBe(before.creates + CREATES);
    expect(await answered('deleteCertificate', 200)).toBe(before.deletes + DELETES);
    const created = operations.slice(0, CREATES);
    await Promise.all(
      toCreate.map(async (name, index) => {
        const versions = (await app.api.get(`/certificates/${name}/versions`)).body.value as { version: string }[];
        expect(versions, name).toHaveLength(1);
        expect(created[index]!.result?.version, name).toBe(versions[0]!.version);
      }),
    );
    await Promise.all(
      toDelete.map(async (name) => {
        expect((await app.api.get(`/certificates/${name}`)).status, name).toBe(404);
        expect((await app.api.get(`/deleted-certificates/${name}`)).status, name).toBe(200);
      }),
    );
  });
});
