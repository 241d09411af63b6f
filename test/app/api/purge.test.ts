// Purge destroys a deleted object for good, so it is a permission of its own: function keys alone
// do not allow it unless ALLOW_PURGE=true, with AUTH_ROLES it takes Vault.Admin, and a vault with
// purge protection refuses it whoever asks. A refused purge changes nothing.
import { DefaultCertificatePolicy } from '@azure/keyvault-certificates';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../local/keyvault/index.js';
import { clientPrincipal, errorCodeOf, uniqueName, type ApiClient, type CallOptions } from '../../support/api.js';
import { startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import { appVaultClients } from '../../support/vault.js';

/** The app's vault, through the real SDK with the app's identity. */
const vaultOf = (emulator: RunningEmulator) => appVaultClients(emulator.vaultUrl, { endpoint: emulator.identityEndpoint, header: emulator.identityHeader }, { maxRetries: 1 });

/** A deleted secret and a deleted certificate, made directly in the vault. */
async function deletedObjects(emulator: RunningEmulator): Promise<{ secret: string; certificate: string }> {
  const vault = vaultOf(emulator);
  const secret = uniqueName('purge-s');
  const certificate = uniqueName('purge-c');
  await vault.secrets.setSecret(secret, 'v');
  await (await vault.secrets.beginDeleteSecret(secret, { intervalInMs: 100 })).pollUntilDone();
  await (await vault.certificates.beginCreateCertificate(certificate, DefaultCertificatePolicy, { intervalInMs: 100 })).pollUntilDone();
  await (await vault.certificates.beginDeleteCertificate(certificate, { intervalInMs: 100 })).pollUntilDone();
  return { secret, certificate };
}

/** Both deleted objects are still there and can be recovered. */
async function expectRecoverable(api: ApiClient, names: { secret: string; certificate: string }, as: CallOptions = {}): Promise<void> {
  expect((await api.get(`/deleted-secrets/${names.secret}`, as)).status).toBe(200);
  expect((await api.get(`/deleted-certificates/${names.certificate}`, as)).status).toBe(200);
  expect((await api.post(`/deleted-secrets/${names.secret}/recover`, as)).status).toBe(200);
  expect((await api.get(`/secrets/${names.secret}`, as)).body.value).toBe('v');
}

const principal = (...roles: string[]) => ({ headers: { 'x-ms-client-principal': clientPrincipal(...roles) } });

describe('with function keys alone and no ALLOW_PURGE', () => {
  let app: IsolatedApp;
  beforeAll(async () => {
    app = await startIsolatedApp({ settings: { ALLOW_PURGE: 'false' }, emulator: { timing: 'instant' } });
  });
  afterAll(async () => app?.stop());

  it('refuses to purge a deleted secret or certificate with 403 PurgeNotAllowed, and leaves both recoverable', async () => {
    const names = await deletedObjects(app.emulator);
    for (const path of [`/deleted-secrets/${names.secret}`, `/deleted-certificates/${names.certificate}`]) {
      const refused = await app.api.delete(path);
      expect(refused.status, path).toBe(403);
      expect(errorCodeOf(refused)).toBe('PurgeNotAllowed');
      expect(refused.body.error.message).toContain('ALLOW_PURGE');
      expect(refused.body.error.message).toContain('Vault.Admin');
    }
    await expectRecoverable(app.api, names);
  });
});

describe('with AUTH_ROLES', () => {
  let app: IsolatedApp;
  beforeAll(async () => {
    // ALLOW_PURGE is on, to show that with roles it is the role that decides.
    app = await startIsolatedApp({ settings: { AUTH_ROLES: 'true', ALLOW_PURGE: 'true' }, emulator: { timing: 'instant' } });
  });
  afterAll(async () => app?.stop());

  it('refuses a purge to Vault.Officer and lets Vault.Admin purge', async () => {
    const names = await deletedObjects(app.emulator);
    for (const path of [`/deleted-secrets/${names.secret}`, `/deleted-certificates/${names.certificate}`]) {
      const refused = await app.api.delete(path, principal('Vault.Officer', 'Vault.SecretsReader'));
      expect(refused.status, path).toBe(403);
      expect(errorCodeOf(refused)).toBe('Forbidden');
      expect(refused.body.error.message).toContain('Vault.Admin');
      expect((await app.api.get(path, principal('Vault.Officer'))).status, path).toBe(200);

      expect((await app.api.delete(path, principal('Vault.Admin'))).status, path).toBe(204);
      expect((await app.api.get(path, principal('Vault.Admin'))).status, path).toBe(404);
    }
  });

  it('lets Vault.Admin read values and write too', async () => {
    const name = uniqueName('admin');
    expect((await app.api.put(`/secrets/${name}`, { value: 'v' }, principal('Vault.Admin'))).status).toBe(201);
    expect((await app.api.get(`/secrets/${name}`, principal('Vault.Admin'))).body.value).toBe('v');
  });
});

describe('a vault with purge protection', () => {
  let app: IsolatedApp;
  beforeAll(async () => {
    app = await startIsolatedApp({ settings: { ALLOW_PURGE: 'true' }, emulator: { timing: 'instant', purgeProtection: true } });
  });
  afterAll(async () => app?.stop());

  it('refuses the purge: 403 PurgeProtected telling when it goes and how to recover, and both stay recoverable', async () => {
    const names = await deletedObjects(app.emulator);
    for (const [path, kind] of [
      [`/deleted-secrets/${names.secret}`, 'secret'],
      [`/deleted-certificates/${names.certificate}`, 'certificate'],
    ]) {
      const refused = await app.api.delete(path!);
      expect(refused.status, path).toBe(403);
      expect(errorCodeOf(refused)).toBe('PurgeProtected');
      expect(refused.body.error.message).toContain('purge protection');
      expect(refused.body.error.message).toContain('scheduledPurgeDate');
      expect(refused.body.error.message).toContain(`POST /api${path}/recover`);
      expect(refused.body.error.message).toContain(kind);
    }
    await expectRecoverable(app.api, names);
  });
});
