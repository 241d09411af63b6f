// A rotation run killed halfway (SIGKILL of the host) and the runs after it: every due secret ends
// up rotated exactly once. The killed run's blob lease outlives it, and keeps new runs out until
// it lapses. Everything is observed as state: Key Vault's counters, secret versions, the events
// queue and the lease.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../support/api.js';
import { emulatorAdmin, startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import { RotationTimer, until } from '../../support/rotation.js';

const SECRETS = 60;
let app: IsolatedApp;
let timer: RotationTimer;

beforeAll(async () => {
  app = await startIsolatedApp();
  timer = new RotationTimer(app);
}, 120_000);
afterAll(async () => app?.stop());

/** Secret versions Key Vault has written so far (each rotation writes one). */
const written = () => app.emulator.counters.snapshot().operations['setSecret']?.statuses['200'] ?? 0;

describe('rotation after a crash', () => {
  it('a run killed halfway and the runs after it rotate each due secret once', { timeout: 300_000 }, async () => {
    const names = Array.from({ length: SECRETS }, () => uniqueName('crashrot'));
    const expiresOn = new Date(Date.now() + 86_400_000).toISOString();
    for (const name of names) {
      // Due now (expires within the 2-day window); the new version's 30-day validity is not due.
      await app.api.put(`/secrets/${name}`, { value: 'v0', expiresOn, tags: { 'rotate-before-expiry': 'P2D', validity: 'P30D' } });
    }
    const initial = written();
    expect(initial).toBe(SECRETS);
    // Slow Key Vault calls, so that the host dies while the run is still rotating.
    await emulatorAdmin(app.emulator, 'faults', { latencyMs: 150 });

    await timer.invoke();
    await until(() => written() - initial >= 5, 'the run to rotate its first secrets', 60_000);
    await app.crashAndRestartHost();
    const rotatedBeforeCrash = written() - initial;
    expect(rotatedBeforeCrash).toBeGreaterThan(0);
    expect(rotatedBeforeCrash, 'the host was killed after the run had finished').toBeLessThan(SECRETS);
    // The killed run's lease is still held: new runs step aside until it lapses (60 s).
    expect(await timer.leaseHeld()).toBe(true);
    await emulatorAdmin(app.emulator, 'faults', { latencyMs: 0 });

    // Runs keep being started every few seconds, as a schedule would start them: those that meet
    // the killed run's lease step aside, and once it has lapsed one of them does the rest.
    let lastRun = 0;
    await until(
      async () => {
        if (written() - initial >= SECRETS) return true;
        if (Date.now() - lastRun >= 3_000) {
          lastRun = Date.now();
          await timer.invoke();
        }
        return false;
      },
      'a run after the crash to rotate the rest',
      180_000,
    );
    await until(async () => !(await timer.leaseHeld()), 'the last run to release its lease');

    // Exactly once: one new version per secret, one write and one SecretRotated event each.
    expect(written() - initial).toBe(SECRETS);
    const versions = await Promise.all(names.map(async (name) => (await app.api.get(`/secrets/${name}/versions`)).body.value.length as number));
    expect(versions).toEqual(names.map(() => 2));
    await timer.drain();
    expect(names.filter((name) => timer.count('SecretRotated', name) > 1)).toEqual([]);
  });
});
