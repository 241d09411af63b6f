// AUTH_ROLES trusts the x-ms-client-principal header, which only App Service Authentication can
// vouch for. Outside the local stack and without it, the app refuses to work: a forged principal,
// even one claiming Vault.Admin, gets nothing and changes nothing. Liveness still answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientPrincipal, errorCodeOf, uniqueName } from '../../support/api.js';
import { startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import { appVaultClients } from '../../support/vault.js';

const forged = { headers: { 'x-ms-client-principal': clientPrincipal('Vault.Admin') } };

describe('AUTH_ROLES without App Service Authentication', () => {
  let app: IsolatedApp;
  let control: IsolatedApp;
  beforeAll(async () => {
    // KEYVAULT_LOCAL off: the app believes it runs in Azure, where WEBSITE_AUTH_ENABLED is unset.
    [app, control] = await Promise.all([
      startIsolatedApp({ settings: { AUTH_ROLES: 'true', KEYVAULT_LOCAL: 'false' } }),
      startIsolatedApp({ settings: { AUTH_ROLES: 'false', KEYVAULT_LOCAL: 'false' } }),
    ]);
  }, 120_000);
  afterAll(async () => Promise.all([app?.stop(), control?.stop()]));

  it('serves no request to a forged Vault.Admin principal, writes nothing, and still answers liveness', async () => {
    const name = uniqueName('forged');
    const attempts = [
      () => app.api.put(`/secrets/${name}`, { value: 'written' }, forged),
      () => app.api.get(`/secrets/${name}`, forged),
      () => app.api.get('/secrets', forged),
      () => app.api.delete(`/deleted-secrets/${name}`, forged),
      () => app.api.put(`/certificates/${name}`, {}, forged),
      () => app.api.get('/health/deep', forged),
    ];
    for (const attempt of attempts) {
      const response = await attempt();
      expect(response.status, response.text).toBe(503);
      expect(errorCodeOf(response)).toBe('ConfigurationInvalid');
    }
    expect((await app.api.get('/health', { key: false })).status).toBe(200);

    const vault = appVaultClients(app.emulator.vaultUrl, { endpoint: app.emulator.identityEndpoint, header: app.emulator.identityHeader }).secrets;
    await expect(vault.getSecret(name)).rejects.toMatchObject({ statusCode: 404 });
    // The same settings without AUTH_ROLES are valid: the refusal is AUTH_ROLES's.
    const unrelated = await control.api.get(`/secrets/${name}`);
    expect(errorCodeOf(unrelated)).not.toBe('ConfigurationInvalid');
  });
});
