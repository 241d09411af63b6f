// Rotation end to end: rotate-now through the API, and the timer function (invoked through the
// host's admin route, as in Azure) deciding from tags which secrets are due. The timer's runs are
// observed through what they leave behind: secret versions, the events they publish, the blob
// lease a run holds, and Key Vault's call counters.
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, errorCodeOf, uniqueName } from '../../support/api.js';
import { emulatorCounters, startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import { waitForOperation } from '../../support/operations.js';
import { RotationTimer, until } from '../../support/rotation.js';

const stack = inject('stack');
const api = new ApiClient(stack.apiBaseUrl, stack.functionKey);
const canary = `CANARY-${Math.random().toString(36).slice(2)}-ROTATION`;

describe('rotate now', () => {
  it("writes a new version from the secret's generator, with rotation tags and validity", async () => {
    const name = uniqueName('rotnow');
    await api.put(`/secrets/${name}`, {
      value: canary,
      contentType: 'text/plain',
      tags: { owner: 'ops', 'rotation-generator': 'bytes:length=16,encoding=hex', validity: 'P7D' },
    });
    const before = Date.now();
    const rotated = await api.post(`/secrets/${name}/rotate`);
    const after = Date.now();
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.value).toBeUndefined();
    expect(rotated.text).not.toContain(canary);
    expect(rotated.body.properties.tags).toMatchObject({ owner: 'ops', 'rotation-id': expect.stringMatching(/^[0-9a-f]{32}$/), 'rotated-at': expect.any(String) });
    expect(rotated.body.properties.contentType).toBe('text/plain');
    // Seven days from the moment of rotation (Key Vault keeps whole seconds).
    const expires = Date.parse(rotated.body.properties.expiresOn);
    expect(expires).toBeGreaterThanOrEqual(before + 7 * 86_400_000 - 1_000);
    expect(expires).toBeLessThanOrEqual(after + 7 * 86_400_000);
    const read = await api.get(`/secrets/${name}`);
    expect(read.body.value).toMatch(/^[0-9a-f]{32}$/);
    expect(read.body.version).toBe(rotated.body.version);
  });

  it('uses random:length=32 without a generator tag; reports unknown secrets and invalid tags', async () => {
    const name = uniqueName('rotdefault');
    await api.put(`/secrets/${name}`, { value: 'old' });
    expect((await api.post(`/secrets/${name}/rotate`)).status).toBe(200);
    expect((await api.get(`/secrets/${name}`)).body.value).toMatch(/^[A-Za-z0-9]{32}$/);

    expect(errorCodeOf(await api.post(`/secrets/${uniqueName('nosecret')}/rotate`))).toBe('SecretNotFound');
    const bad = uniqueName('rotbad');
    await api.put(`/secrets/${bad}`, { value: 'old', tags: { 'rotation-generator': 'random:length=zero' } });
    const refused = await api.post(`/secrets/${bad}/rotate`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('rotation-generator');
    expect((await api.get(`/secrets/${bad}/versions`)).body.value).toHaveLength(1);
  });
});

describe('the rotation timer', () => {
  let app: IsolatedApp;
  let timer: RotationTimer;
  beforeAll(async () => {
    app = await startIsolatedApp();
    timer = new RotationTimer(app);
  }, 120_000);
  afterAll(async () => app?.stop());

  const versions = async (name: string) => (await app.api.get(`/secrets/${name}/versions`)).body.value.length as number;

  it('rotates due secrets exactly once even when two runs start at once, leaves others, reports invalid tags', { timeout: 180_000 }, async () => {
    const due = [uniqueName('due'), uniqueName('due')];
    const expiring = uniqueName('expiring');
    const notDue = uniqueName('notdue');
    const invalid = uniqueName('invalid');
    const plain = uniqueName('plain');
    const expiringPlain = uniqueName('expplain');
    // Last rotated two days ago with a one-day interval: due now, and not again once rotated.
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
    for (const name of due) await app.api.put(`/secrets/${name}`, { value: canary, tags: { 'rotation-interval': 'P1D', 'rotated-at': twoDaysAgo } });
    await app.api.put(`/secrets/${expiring}`, {
      value: canary,
      expiresOn: new Date(Date.now() + 5 * 86_400_000).toISOString(),
      tags: { 'rotate-before-expiry': 'P10D', validity: 'P90D' },
    });
    await app.api.put(`/secrets/${notDue}`, { value: canary, tags: { 'rotation-interval': 'P30D' } });
    await app.api.put(`/secrets/${invalid}`, { value: canary, tags: { 'rotation-interval': 'every tuesday' } });
    await app.api.put(`/secrets/${plain}`, { value: canary });
    await app.api.put(`/secrets/${expiringPlain}`, { value: canary, expiresOn: new Date(Date.now() + 3 * 86_400_000).toISOString() });
    await timer.run('a rotation run to finish', 2);

    for (const name of [...due, expiring]) expect(await versions(name), name).toBe(2);
    for (const name of [notDue, invalid, plain]) expect(await versions(name), name).toBe(1);
    for (const name of [...due, expiring]) {
      const rotated = timer.events.filter((e) => e.type === 'SecretRotated' && e.name === name);
      expect(rotated, name).toHaveLength(1);
      expect(rotated[0]!.version).toMatch(/^[0-9a-f]{32}$/);
      expect(Date.parse(rotated[0]!.time)).toBeGreaterThan(0);
    }
    expect(timer.events.find((e) => e.type === 'OperationFailed' && e.name === invalid)?.reason).toMatch(/invalid rotation policy: tag rotation-interval/);
    expect(timer.events.find((e) => e.type === 'SecretNearExpiry' && e.name === expiringPlain)?.reason).toMatch(/^expires /);
    expect(timer.events.some((e) => e.type === 'SecretNearExpiry' && e.name === plain)).toBe(false);
    expect(timer.text()).not.toContain('CANARY-');

    // The rotated version carries the new expiry (validity) and is not due again.
    const rotatedExpiring = await app.api.get(`/secrets/${expiring}`);
    expect(Date.parse(rotatedExpiring.body.properties.expiresOn)).toBeGreaterThan(Date.now() + 80 * 86_400_000);
    expect(await timer.run('the next rotation run to finish')).toMatchObject({ due: 0, rotated: 0 });
    for (const name of [...due, expiring]) expect(await versions(name), name).toBe(2);
    expect(timer.events.filter((e) => e.type === 'SecretRotated')).toHaveLength(3);
    expect(app.output()).not.toContain('CANARY-');
  });
});

describe('certificate renewal by the timer', () => {
  let app: IsolatedApp;
  let timer: RotationTimer;
  beforeAll(async () => {
    app = await startIsolatedApp();
    timer = new RotationTimer(app);
  }, 120_000);
  afterAll(async () => app?.stop());

  it('renews certificates in their window unless Key Vault auto-renews them, and publishes the events', { timeout: 180_000 }, async () => {
    const create = async (name: string, policy: object, tags: Record<string, string>) => {
      const response = await app.api.put(`/certificates/${name}`, { policy: { subject: `CN=${name}`, ...policy }, tags });
      expect(response.status).toBe(202);
      expect((await waitForOperation(app.api, response.headers.get('operation-location')!)).status).toBe('Succeeded');
    };
    const manual = uniqueName('renew');
    const auto = uniqueName('autorenew');
    const later = uniqueName('notyet');
    // A 12-month certificate is inside a 400-day window at once.
    await Promise.all([
      create(manual, { lifetimeActions: [{ action: 'EmailContacts', lifetimePercentage: 80 }] }, { 'renew-before': 'P400D' }),
      create(auto, { lifetimeActions: [{ action: 'AutoRenew', lifetimePercentage: 80 }] }, { 'renew-before': 'P400D' }),
      create(later, { lifetimeActions: [{ action: 'EmailContacts', lifetimePercentage: 80 }] }, {}),
    ]);
    const createsBefore = (await emulatorCounters(app.emulator)).operations['createCertificate']?.statuses['202'] ?? 0;

    expect(await timer.run('the rotation run to finish')).toMatchObject({ certificatesNearExpiry: 2, renewalsStarted: 1 });
    expect(
      timer.events
        .filter((e) => e.type === 'CertificateNearExpiry')
        .map((e) => e.name)
        .sort(),
    ).toEqual([auto, manual].sort());

    // The run queued its renewals before it finished: once the job queue is empty, every renewal
    // it started has run.
    const jobs = QueueServiceClient.fromConnectionString(app.storageConnectionString).getQueueClient(app.jobsQueue);
    await until(async () => (await jobs.getProperties()).approximateMessagesCount === 0, 'the renewal jobs to finish');
    expect((await emulatorCounters(app.emulator)).operations['createCertificate']?.statuses['202']).toBe(createsBefore + 1);
    const certificateVersions = async (name: string) => (await app.api.get(`/certificates/${name}/versions`)).body.value.length as number;
    expect(await certificateVersions(manual)).toBe(2);
    expect(await certificateVersions(auto)).toBe(1);
    expect(await certificateVersions(later)).toBe(1);

    await until(async () => (await timer.drain()).some((e) => e.type === 'CertificateRenewed'), 'the CertificateRenewed event');
    expect(timer.events.filter((e) => e.type === 'CertificateRenewed').map((e) => e.name)).toEqual([manual]);
  });
});
