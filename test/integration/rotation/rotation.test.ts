// Rotation end to end: rotate-now through the API, and the timer function (invoked through the
// host's admin route, as in Azure) deciding from tags which secrets are due.
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, errorCodeOf, uniqueName } from '../../support/api.js';
import { startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';

const stack = inject('stack');
const api = new ApiClient(stack.apiBaseUrl, stack.functionKey);
const canary = `CANARY-${Math.random().toString(36).slice(2)}-ROTATION`;

describe('rotate now', () => {
  it("writes a new version from the secret's generator, with rotation tags and validity", async () => {
    const name = uniqueName('rotnow');
    await api.put(`/secrets/${name}`, { value: canary, contentType: 'text/plain', tags: { owner: 'ops', 'rotation-generator': 'bytes:length=16,encoding=hex', validity: 'P7D' } });
    const rotated = await api.post(`/secrets/${name}/rotate`);
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.value).toBeUndefined();
    expect(rotated.text).not.toContain(canary);
    expect(rotated.body.properties.tags).toMatchObject({ owner: 'ops', 'rotation-id': expect.stringMatching(/^[0-9a-f]{32}$/), 'rotated-at': expect.any(String) });
    expect(rotated.body.properties.contentType).toBe('text/plain');
    const expires = Date.parse(rotated.body.properties.expiresOn);
    expect(Math.abs(expires - (Date.now() + 7 * 86_400_000))).toBeLessThan(120_000);
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
  beforeAll(async () => {
    app = await startIsolatedApp();
  }, 120_000);
  afterAll(async () => app?.stop());

  const runTimer = () =>
    fetch(`${app.host.baseUrl}/admin/functions/rotation`, {
      method: 'POST',
      headers: { 'x-functions-key': app.host.masterKey, 'content-type': 'application/json' },
      body: JSON.stringify({ input: '' }),
    });
  const versions = async (name: string) => (await app.api.get(`/secrets/${name}/versions`)).body.value.length as number;
  const runsFinished = () => (app.output().match(/Executed 'Functions\.rotation'/g) ?? []).length;

  it('rotates due secrets exactly once even when two runs start at once, leaves others, reports invalid tags', { timeout: 120_000 }, async () => {
    const due = [uniqueName('due'), uniqueName('due')];
    const expiring = uniqueName('expiring');
    const notDue = uniqueName('notdue');
    const invalid = uniqueName('invalid');
    const plain = uniqueName('plain');
    const expiringPlain = uniqueName('expplain');
    for (const name of due) await app.api.put(`/secrets/${name}`, { value: canary, tags: { 'rotation-interval': 'PT1S' } });
    await app.api.put(`/secrets/${expiring}`, { value: canary, expiresOn: new Date(Date.now() + 5 * 86_400_000).toISOString(), tags: { 'rotate-before-expiry': 'P10D', validity: 'P90D' } });
    await app.api.put(`/secrets/${notDue}`, { value: canary, tags: { 'rotation-interval': 'P30D' } });
    await app.api.put(`/secrets/${invalid}`, { value: canary, tags: { 'rotation-interval': 'every tuesday' } });
    await app.api.put(`/secrets/${plain}`, { value: canary });
    await app.api.put(`/secrets/${expiringPlain}`, { value: canary, expiresOn: new Date(Date.now() + 3 * 86_400_000).toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const before = runsFinished();
    const [first, second] = await Promise.all([runTimer(), runTimer()]);
    expect([first.status, second.status]).toEqual([202, 202]);
    for (let i = 0; i < 200 && runsFinished() < before + 2; i++) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(runsFinished()).toBe(before + 2);

    for (const name of [...due, expiring]) expect(await versions(name), name).toBe(2);
    for (const name of [notDue, invalid, plain]) expect(await versions(name), name).toBe(1);
    expect(app.output()).toMatch(/another rotation run holds the lease|Rotation run: 3 due, 3 rotated/i);
    expect(app.output()).toContain(`Secret ${invalid} has an invalid rotation policy: tag rotation-interval`);

    const queue = QueueServiceClient.fromConnectionString(inject('storage').connectionString).getQueueClient(app.eventsQueue);
    const messages = (await queue.receiveMessages({ numberOfMessages: 32 })).receivedMessageItems.map((m) => Buffer.from(m.messageText, 'base64').toString('utf8'));
    const events = messages.map((text) => JSON.parse(text) as { type: string; name: string; version?: string; time: string; reason?: string });
    for (const name of [...due, expiring]) {
      const rotated = events.filter((e) => e.type === 'SecretRotated' && e.name === name);
      expect(rotated, name).toHaveLength(1);
      expect(rotated[0]!.version).toMatch(/^[0-9a-f]{32}$/);
      expect(Date.parse(rotated[0]!.time)).toBeGreaterThan(0);
    }
    expect(events.find((e) => e.type === 'OperationFailed' && e.name === invalid)?.reason).toMatch(/rotation-interval/);
    expect(events.find((e) => e.type === 'SecretNearExpiry' && e.name === expiringPlain)?.reason).toMatch(/^expires /);
    expect(events.some((e) => e.type === 'SecretNearExpiry' && e.name === plain)).toBe(false);
    expect(messages.join('\n')).not.toContain('CANARY-');

    // The rotated version carries the new expiry (validity) and is not due again.
    const rotatedExpiring = await app.api.get(`/secrets/${expiring}`);
    expect(Date.parse(rotatedExpiring.body.properties.expiresOn)).toBeGreaterThan(Date.now() + 80 * 86_400_000);
    const again = runsFinished();
    await runTimer();
    for (let i = 0; i < 200 && runsFinished() < again + 1; i++) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await versions(expiring)).toBe(2);
    expect(app.output()).not.toContain('CANARY-');
  });
});

describe('certificate renewal by the timer', () => {
  let app: IsolatedApp;
  beforeAll(async () => {
    app = await startIsolatedApp();
  }, 120_000);
  afterAll(async () => app?.stop());

  it('renews certificates in their window unless Key Vault auto-renews them, and publishes the events', { timeout: 120_000 }, async () => {
    const create = async (name: string, policy: object, tags: Record<string, string>) => {
      const response = await app.api.put(`/certificates/${name}`, { policy: { subject: `CN=${name}`, ...policy }, tags });
      expect(response.status).toBe(202);
      const { waitForOperation } = await import('../../support/operations.js');
      expect((await waitForOperation(app.api, response.headers.get('operation-location')!)).status).toBe('Succeeded');
    };
    const manual = uniqueName('renew');
    const auto = uniqueName('autorenew');
    const later = uniqueName('notyet');
    // A 12-month certificate is inside a 400-day window at once.
    await create(manual, { lifetimeActions: [{ action: 'EmailContacts', lifetimePercentage: 80 }] }, { 'renew-before': 'P400D' });
    await create(auto, { lifetimeActions: [{ action: 'AutoRenew', lifetimePercentage: 80 }] }, { 'renew-before': 'P400D' });
    await create(later, { lifetimeActions: [{ action: 'EmailContacts', lifetimePercentage: 80 }] }, {});

    const finished = () => (app.output().match(/Executed 'Functions\.rotation'/g) ?? []).length;
    const before = finished();
    const run = await fetch(`${app.host.baseUrl}/admin/functions/rotation`, {
      method: 'POST',
      headers: { 'x-functions-key': app.host.masterKey, 'content-type': 'application/json' },
      body: JSON.stringify({ input: '' }),
    });
    expect(run.status).toBe(202);
    for (let i = 0; i < 200 && finished() < before + 1; i++) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(app.output()).toMatch(/2 certificates near expiry, 1 renewals started/);

    const versions = async (name: string) => (await app.api.get(`/certificates/${name}/versions`)).body.value.length as number;
    for (let i = 0; i < 100 && (await versions(manual)) < 2; i++) await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await versions(manual)).toBe(2);
    expect(await versions(auto)).toBe(1);
    expect(await versions(later)).toBe(1);

    const queue = QueueServiceClient.fromConnectionString(inject('storage').connectionString).getQueueClient(app.eventsQueue);
    let events: { type: string; name: string }[] = [];
    for (let i = 0; i < 50 && !events.some((e) => e.type === 'CertificateRenewed'); i++) {
      const batch = (await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 1 })).receivedMessageItems;
      events = [...events, ...batch.map((m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as { type: string; name: string })];
      if (!events.some((e) => e.type === 'CertificateRenewed')) await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(events.filter((e) => e.type === 'CertificateNearExpiry').map((e) => e.name).sort()).toEqual([auto, manual].sort());
    expect(events.find((e) => e.type === 'CertificateRenewed')?.name).toBe(manual);
  });
});
