// A rotation run killed halfway (SIGKILL of the host) and a new run after it: every due secret
// ends up rotated exactly once. The killed run's blob lease keeps a new run out until it lapses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../support/api.js';
import { emulatorAdmin, startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';

const SECRETS = 60;
let app: IsolatedApp;

beforeAll(async () => {
  app = await startIsolatedApp();
}, 120_000);
afterAll(async () => app?.stop());

describe('rotation after a crash', () => {
  it('a run killed halfway and the next run rotate each due secret once', { timeout: 240_000 }, async () => {
    const names = Array.from({ length: SECRETS }, () => uniqueName('crashrot'));
    const expiresOn = new Date(Date.now() + 86_400_000).toISOString();
    for (const name of names) {
      // Due now (expires within the 2-day window); the new version's 30-day validity is not due.
      await app.api.put(`/secrets/${name}`, { value: 'v0', expiresOn, tags: { 'rotate-before-expiry': 'P2D', validity: 'P30D' } });
    }
    await emulatorAdmin(app.emulator, 'faults', { latencyMs: 60 });

    const runTimer = () =>
      fetch(`${app.host.baseUrl}/admin/functions/rotation`, {
        method: 'POST',
        headers: { 'x-functions-key': app.host.masterKey, 'content-type': 'application/json' },
        body: JSON.stringify({ input: '' }),
      });
    const rotatedSoFar = () => (app.output().match(/Rotated secret crashrot-/g) ?? []).length;

    expect((await runTimer()).status).toBe(202);
    for (let i = 0; i < 300 && rotatedSoFar() < 5; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    await app.crashAndRestartHost();
    const rotatedBeforeCrash = rotatedSoFar();
    expect(rotatedBeforeCrash).toBeGreaterThan(0);
    expect(rotatedBeforeCrash).toBeLessThan(SECRETS);
    await emulatorAdmin(app.emulator, 'faults', { latencyMs: 0 });

    // Until the killed run's lease lapses (60 s), a new run steps aside; then one completes.
    const finishedRuns = () => (app.output().match(/Rotation run: /g) ?? []).length;
    for (let i = 0; i < 20 && finishedRuns() === 0; i++) {
      expect((await runTimer()).status).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }
    expect(finishedRuns()).toBe(1);

    const versions = await Promise.all(names.map(async (name) => (await app.api.get(`/secrets/${name}/versions`)).body.value.length as number));
    expect(versions).toEqual(names.map(() => 2));
  });
});
