// Certificate renewal started by the timer goes through the same path as POST .../renew: the
// new version keeps the certificate's tags and enabled state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../support/api.js';
import { startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import { waitForOperation } from '../../support/operations.js';

const until = async (condition: () => Promise<boolean>, what: string, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

describe('renewal by the timer', () => {
  let app: IsolatedApp;
  beforeAll(async () => {
    app = await startIsolatedApp();
  }, 120_000);
  afterAll(async () => app?.stop());

  const runTimer = async () => {
    const response = await fetch(`${app.host.baseUrl}/admin/functions/rotation`, {
      method: 'POST',
      headers: { 'x-functions-key': app.host.masterKey, 'content-type': 'application/json' },
      body: JSON.stringify({ input: '' }),
    });
    expect(response.status).toBe(202);
  };

  it('keeps every tag and the enabled state of the certificate it renews', { timeout: 120_000 }, async () => {
    const name = uniqueName('keeptags');
    // A 12-month certificate is inside a 400-day renewal window at once.
    const tags = { 'renew-before': 'P400D', team: 'payments', 'cost-center': '4711' };
    // Key Vault's default lifetime action is AutoRenew, which leaves renewal to Key Vault: this one only emails.
    const policy = { subject: `CN=${name}`, lifetimeActions: [{ action: 'EmailContacts', lifetimePercentage: 80 }] };
    const created = await app.api.put(`/certificates/${name}`, { policy, tags, enabled: true });
    expect(created.status).toBe(202);
    expect((await waitForOperation(app.api, created.headers.get('operation-location')!)).status).toBe('Succeeded');
    const first = (await app.api.get(`/certificates/${name}`)).body;

    await runTimer();
    await until(async () => (await app.api.get(`/certificates/${name}`)).body.version !== first.version, 'the renewed version');

    const renewed = (await app.api.get(`/certificates/${name}`)).body;
    expect(renewed.properties.tags).toEqual(tags);
    expect(renewed.properties.enabled).toBe(true);
    expect((await app.api.get(`/certificates/${name}/versions`)).body.value).toHaveLength(2);
  });
});
