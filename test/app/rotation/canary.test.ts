// Values made by rotation never reach the host's log: after timer and rotate-now rotations (with
// several generators, and while the events queue fails so that the fallback paths run too), the
// new values are read back from the vault and searched for in everything the host printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../support/api.js';
import { startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import type { QueueProxy } from '../../support/queueProxy.js';
import { RotationTimer } from '../../support/rotation.js';

const GENERATORS = ['random:length=32', 'random:length=40,charset=printable', 'bytes:length=24,encoding=base64', 'bytes:length=20,encoding=hex'];
let proxy: QueueProxy;
let app: IsolatedApp;

beforeAll(async () => {
  app = await startIsolatedApp({ queueProxy: true });
  proxy = app.queueProxy!;
}, 120_000);

afterAll(async () => app?.stop());

const runTimer = () => new RotationTimer(app).invokeAndWait();

describe('rotated values and the host log', () => {
  it('never logs a value that rotation generated', { timeout: 180_000 }, async () => {
    const expiresOn = new Date(Date.now() + 86_400_000).toISOString();
    const byTimer = GENERATORS.map((generator) => ({ name: uniqueName('canarytimer'), generator }));
    const byHand = GENERATORS.map((generator) => ({ name: uniqueName('canarynow'), generator }));
    for (const { name, generator } of byTimer) {
      await app.api.put(`/secrets/${name}`, { value: 'v0', expiresOn, tags: { 'rotate-before-expiry': 'P2D', validity: 'P30D', 'rotation-generator': generator } });
    }
    for (const { name, generator } of byHand) await app.api.put(`/secrets/${name}`, { value: 'v0', tags: { 'rotation-generator': generator } });

    await runTimer();
    for (const { name } of byHand) expect((await app.api.post(`/secrets/${name}/rotate`)).status).toBe(200);
    proxy.failSends = new RegExp(`^${app.eventsQueue}$`);
    for (const { name } of byHand) expect((await app.api.post(`/secrets/${name}/rotate`)).status).toBe(200);
    proxy.failSends = undefined;
    await runTimer();

    const values: string[] = [];
    for (const { name } of [...byTimer, ...byHand]) {
      const versions = (await app.api.get(`/secrets/${name}/versions`)).body.value as { version: string }[];
      expect(versions.length, name).toBeGreaterThanOrEqual(2);
      for (const { version } of versions) {
        const value = (await app.api.get(`/secrets/${name}/versions/${version}`)).body.value as string;
        if (value !== 'v0') values.push(value);
      }
    }
    expect(values).toHaveLength(byTimer.length + 2 * byHand.length);
    for (const value of values) expect(value.length).toBeGreaterThanOrEqual(20);

    const lines = app.output().split('\n');
    // The log does cover these rotations (they name the secrets).
    for (const { name } of byTimer)
      expect(
        lines.some((line) => line.includes(name)),
        name,
      ).toBe(true);
    expect(values.filter((value) => lines.some((line) => line.includes(value)))).toEqual([]);
  });
});
