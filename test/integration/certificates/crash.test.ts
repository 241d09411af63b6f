// The crash test: the host (and its worker) is SIGKILLed at random moments while 20 certificate
// creates and deletes run, then restarted; every operation must still end Succeeded, with exactly
// one Key Vault create per certificate (the emulator's counters) and one version each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../support/api.js';
import { emulatorAdmin, startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import { waitForOperation } from '../../support/operations.js';

const CREATES = 12;
const DELETES = 8;
const KILLS = 3;

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

/** Key Vault create calls that started a certificate (202), from the emulator's counters. */
async function acceptedCreates(): Promise<number> {
  const { operations } = (await (await fetch(`${app.emulator.adminUrl}/counters`, { headers: app.emulator.adminHeaders })).json()) as {
    operations: Record<string, { statuses: Record<string, number> }>;
  };
  return operations.createCertificate?.statuses['202'] ?? 0;
}

describe('crash safety of certificate jobs', () => {
  it(`${CREATES} creates and ${DELETES} deletes survive ${KILLS} SIGKILLs of the host`, { timeout: 300_000 }, async () => {
    // Certificates to delete, created before the storm.
    const toDelete = Array.from({ length: DELETES }, () => uniqueName('crash-del'));
    for (const name of toDelete) {
      const response = await app.api.put(`/certificates/${name}`, undefined);
      expect((await waitForOperation(app.api, response.headers.get('operation-location')!)).status).toBe('Succeeded');
    }
    // Key Vault takes 2 s per certificate, so that operations are in flight when the host dies.
    await emulatorAdmin(app.emulator, 'settings', { certificateCreateMs: 2_000 });
    const createsBefore = await acceptedCreates();

    const toCreate = Array.from({ length: CREATES }, () => uniqueName('crash-new'));
    const accepted = await Promise.all([
      ...toCreate.map((name) => app.api.put(`/certificates/${name}`, undefined)),
      ...toDelete.map((name) => app.api.delete(`/certificates/${name}`)),
    ]);
    expect(accepted.map((r) => r.status)).toEqual(accepted.map(() => 202));

    for (let kill = 0; kill < KILLS; kill++) {
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 2_500));
      await app.crashAndRestartHost();
    }

    const operations = await Promise.all(accepted.map((r) => waitForOperation(app.api, r.headers.get('operation-location')!, 240_000)));
    expect(operations.map((o) => `${o.target.name}: ${o.status}`)).toEqual(operations.map((o) => `${o.target.name}: Succeeded`));
    // The kills hit work in progress: some operations had to be picked up again after a crash.
    expect(operations.filter((o) => o.attempts > 1).length).toBeGreaterThan(0);

    expect(await acceptedCreates()).toBe(createsBefore + CREATES);
    for (const name of toCreate) {
      const versions = await app.api.get(`/certificates/${name}/versions`);
      expect(versions.body.value, name).toHaveLength(1);
    }
    for (const name of toDelete) {
      expect((await app.api.get(`/certificates/${name}`)).status, name).toBe(404);
      expect((await app.api.get(`/deleted-certificates/${name}`)).status, name).toBe(200);
    }
    expect(app.output().match(/Host started\./g)?.length).toBe(KILLS + 1);
  });
});
