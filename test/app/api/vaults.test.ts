// Several vaults, one app: KEYVAULTS names vaults besides the default one, and the secrets,
// certificates, keys and operations routes also answer as /api/vaults/{vault}/…, each vault its own (here: a second emulator that
// trusts the same managed identity). Today's routes keep addressing the default vault.
import path from 'node:path';
import { DefaultCertificatePolicy } from '@azure/keyvault-certificates';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_ROLE_ASSIGNMENTS, startEmulator, type RunningEmulator } from '../../../local/keyvault/index.js';
import { errorCodeOf, uniqueName } from '../../support/api.js';
import { startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import { waitForOperation } from '../../support/operations.js';
import { RotationTimer, until } from '../../support/rotation.js';
import { appVaultClients } from '../../support/vault.js';

let payments: RunningEmulator;
let app: IsolatedApp;
const vaultOf = (emulator: RunningEmulator) => appVaultClients(emulator.vaultUrl, { endpoint: emulator.identityEndpoint, header: emulator.identityHeader });

beforeAll(async () => {
  payments = await startEmulator({
    inMemory: true,
    caDir: path.dirname(inject('stack').vault.caFile),
    roleAssignments: [...DEFAULT_ROLE_ASSIGNMENTS, { principal: 'system', role: 'Key Vault Reader' }],
  });
  app = await startIsolatedApp({ emulator: { identity: payments.identity }, settings: { KEYVAULTS: `payments=${payments.vaultUrl}` } });
}, 120_000);
afterAll(async () => {
  await app?.stop();
  await payments?.stop();
});

describe('/api/vaults/{vault}/…', () => {
  it('keeps secrets per vault: same name, own values, own versions, own links', async () => {
    const name = uniqueName('two-vaults');
    const inPayments = await app.api.put(`/vaults/payments/secrets/${name}`, { value: 'payments-value' });
    expect(inPayments.status, inPayments.text).toBe(201);
    expect(inPayments.headers.get('location')).toMatch(new RegExp(`/api/vaults/payments/secrets/${name}/versions/[0-9a-f]{32}$`));
    expect((await app.api.get(`/secrets/${name}`)).status).toBe(404);
    expect((await app.api.put(`/secrets/${name}`, { value: 'default-value' })).status).toBe(201);

    expect((await app.api.get(`/vaults/payments/secrets/${name}`)).body.value).toBe('payments-value');
    expect((await app.api.get(`/secrets/${name}`)).body.value).toBe('default-value');
    expect((await vaultOf(payments).secrets.getSecret(name)).value).toBe('payments-value');
    expect((await vaultOf(app.emulator).secrets.getSecret(name)).value).toBe('default-value');

    await app.api.put(`/vaults/payments/secrets/${name}`, { value: 'payments-2' });
    const versions = await app.api.get(`/vaults/payments/secrets/${name}/versions?maxPageSize=1`);
    expect(versions.body.value).toHaveLength(1);
    expect(versions.body.nextLink).toContain(`/api/vaults/payments/secrets/${name}/versions`);
    expect((await app.api.get(versions.body.nextLink)).body.value).toHaveLength(1);
    expect((await app.api.get(`/secrets/${name}/versions`)).body.value).toHaveLength(1);
  });

  it('deletes, recovers and purges in the addressed vault only', async () => {
    const name = uniqueName('vault-delete');
    await app.api.put(`/vaults/payments/secrets/${name}`, { value: 'v' });
    await app.api.put(`/secrets/${name}`, { value: 'v' });
    expect((await app.api.delete(`/vaults/payments/secrets/${name}`)).status).toBe(200);
    expect((await app.api.get(`/vaults/payments/deleted-secrets/${name}`)).status).toBe(200);
    expect((await app.api.get(`/secrets/${name}`)).status).toBe(200);
    expect((await app.api.post(`/vaults/payments/deleted-secrets/${name}/recover`)).status).toBe(200);
    expect((await app.api.get(`/vaults/payments/secrets/${name}`)).body.value).toBe('v');
    expect((await app.api.delete(`/vaults/payments/secrets/${name}`)).status).toBe(200);
    expect((await app.api.delete(`/vaults/payments/deleted-secrets/${name}`)).status).toBe(204);
    await expect(vaultOf(payments).secrets.getDeletedSecret(name)).rejects.toMatchObject({ statusCode: 404 });
    expect((await app.api.get(`/secrets/${name}`)).status).toBe(200);
  });

  it('keeps Idempotency-Key records per vault', async () => {
    const name = uniqueName('vault-idem');
    const headers = { 'idempotency-key': uniqueName('key') };
    const first = await app.api.put(`/secrets/${name}`, { value: 'same' }, { headers });
    const second = await app.api.put(`/vaults/payments/secrets/${name}`, { value: 'same' }, { headers });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect((await vaultOf(payments).secrets.getSecret(name)).value).toBe('same');
  });

  it("reads a certificate's public key in the addressed vault", async () => {
    const name = uniqueName('vault-key');
    await (await vaultOf(payments).certificates.beginCreateCertificate(name, DefaultCertificatePolicy)).pollUntilDone();
    const key = await app.api.get(`/vaults/payments/keys/${name}`);
    expect(key.status, key.text).toBe(200);
    expect(key.body.key.kty).toBe('RSA');
    expect((await app.api.get(`/keys/${name}`)).status).toBe(404);
  });

  it('runs certificate operations in the addressed vault: same name in two vaults at once, operations that say which vault', async () => {
    const name = uniqueName('vault-cert');
    const [inPayments, inDefault] = await Promise.all([app.api.put(`/vaults/payments/certificates/${name}`, {}), app.api.put(`/certificates/${name}`, {})]);
    expect([inPayments.status, inDefault.status]).toEqual([202, 202]);
    const location = inPayments.headers.get('operation-location')!;
    expect(location).toMatch(/\/api\/vaults\/payments\/operations\/[0-9a-f-]{36}$/);
    const done = await waitForOperation(app.api, location);
    expect(done).toMatchObject({ status: 'Succeeded', target: { type: 'certificate', name, vault: 'payments' } });
    expect((await waitForOperation(app.api, inDefault.headers.get('operation-location')!)).target.vault).toBe('default');

    const thumbprints = await Promise.all(
      [vaultOf(payments), vaultOf(app.emulator)].map(async (vault) => (await vault.certificates.getCertificate(name)).properties.x509Thumbprint),
    );
    expect(thumbprints[0]).not.toEqual(thumbprints[1]);
    expect((await app.api.get(`/vaults/payments/certificates/${name}`)).body.properties.x509Thumbprint).toBeDefined();
    // An operation is found under its own vault (and the plain route), not under another vault.
    const id = location.split('/').at(-1)!;
    expect((await app.api.get(`/operations/${id}`)).status).toBe(200);
    expect(errorCodeOf(await app.api.get(`/vaults/default/operations/${id}`))).toBe('OperationNotFound');

    const deleted = await app.api.delete(`/vaults/payments/certificates/${name}`);
    expect(deleted.status).toBe(202);
    expect((await waitForOperation(app.api, deleted.headers.get('operation-location')!)).status).toBe('Succeeded');
    expect((await app.api.get(`/vaults/payments/deleted-certificates/${name}`)).status).toBe(200);
    expect((await app.api.get(`/certificates/${name}`)).status).toBe(200);
  });

  it('rotates due secrets in every vault in one timer run, each vault under its own lease and run record', { timeout: 120_000 }, async () => {
    const name = uniqueName('vault-due');
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const due = { value: 'old', tags: { 'rotation-interval': 'P1D', 'rotated-at': twoDaysAgo } };
    await app.api.put(`/secrets/${name}`, due);
    await app.api.put(`/vaults/payments/secrets/${name}`, due);
    const timer = new RotationTimer(app);
    const run = await timer.run('a rotation run over both vaults');
    const paymentsRun = await until(async () => {
      const record = await timer.lastRun('payments');
      return record?.runId === run.runId ? record : undefined;
    }, "the payments vault's run record");
    expect(run).toMatchObject({ ran: true, rotated: 1, failed: 0 });
    expect(paymentsRun).toMatchObject({ ran: true, rotated: 1, failed: 0, failedSteps: '' });
    for (const path of [`/secrets/${name}/versions`, `/vaults/payments/secrets/${name}/versions`]) expect((await app.api.get(path)).body.value, path).toHaveLength(2);
    await timer.drain();
    const rotated = timer.events.filter((event) => event.type === 'SecretRotated' && event.name === name);
    expect(rotated.map((event) => event.vault ?? 'default').sort()).toEqual(['default', 'payments']);
  });

  it('answers 404 VaultNotFound for an alias KEYVAULTS does not name, takes `default` for KEYVAULT_URL, and documents both forms', async () => {
    const unknown = await app.api.get('/vaults/nope/secrets/anything');
    expect(unknown.status).toBe(404);
    expect(errorCodeOf(unknown)).toBe('VaultNotFound');
    // `default` is KEYVAULT_URL's vault, under either form.
    const name = uniqueName('default-alias');
    expect((await app.api.put(`/vaults/default/secrets/${name}`, { value: 'v' })).status).toBe(201);
    expect((await app.api.get(`/secrets/${name}`)).body.value).toBe('v');
    const paths = Object.keys((await app.api.get('/openapi.json', { key: false })).body.paths);
    expect(paths).toEqual(expect.arrayContaining(['/secrets/{name}', '/vaults/{vault}/secrets/{name}', '/vaults/{vault}/keys/{name}']));
  });
});
