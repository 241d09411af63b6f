// Every route family under /api/vaults/{vault}/… on the shared stack's second vault, `payments`
// (the stack runs as `npm start -- --vaults main,payments`; `main` is the default vault). The
// real SDK clients, with the app's identity, check that what the API does lands in the payments
// vault and not in the main one.
import { describe, expect, inject, it } from 'vitest';
import { ApiClient, errorCodeOf, uniqueName } from '../../support/api.js';
import { waitForOperation } from '../../support/operations.js';
import { appVaultClients } from '../../support/vault.js';

const stack = inject('stack');
const api = new ApiClient(stack.apiBaseUrl, stack.functionKey);
/** Route prefix of the payments vault. */
const payments = '/vaults/payments';
const paymentsUrl = stack.vaults['payments']!;
const vaults = { main: appVaultClients(stack.vaults['main']!, stack.identity), payments: appVaultClients(paymentsUrl, stack.identity) };
type Vault = (typeof vaults)['main'];
/** Bytes the SDK returns (a CER, a key coordinate) as the API's base64 text; throws when there are none. */
const base64 = (bytes: Uint8Array | undefined, encoding: 'base64' | 'base64url' = 'base64') => Buffer.from(bytes!).toString(encoding);

/** `read` finds the object in the payments vault and gets a 404 in the main vault; what it found. */
async function onlyInPayments<T>(read: (vault: Vault) => Promise<T>): Promise<T> {
  const found = await read(vaults.payments);
  await expect(read(vaults.main)).rejects.toMatchObject({ statusCode: 404 });
  return found;
}

/** Every item of a payments listing, page by page: each nextLink stays under /api/vaults/payments/. */
async function listAll(path: string): Promise<any[]> {
  const items: any[] = [];
  let next: string | null = `${payments}${path}`;
  while (next) {
    const page: { status: number; text: string; body: any } = await api.get(next);
    expect(page.status, page.text).toBe(200);
    items.push(...page.body.value);
    next = page.body.nextLink;
    if (next) expect(next.startsWith(`${stack.apiBaseUrl}${payments}/`), next).toBe(true);
  }
  return items;
}

/** Waits for the operation a 202 answer started in the payments vault (its Operation-Location is under the vault). */
async function finished(response: { status: number; text: string; headers: Headers; body: any }) {
  expect(response.status, response.text).toBe(202);
  const location = response.headers.get('operation-location');
  expect(location).toBe(`${stack.apiBaseUrl}${payments}/operations/${response.body.id}`);
  const operation = await waitForOperation(api, location!);
  expect(operation).toMatchObject({ status: 'Succeeded', target: { type: 'certificate', vault: 'payments' } });
  return operation;
}

const createInPayments = async (name: string, body?: unknown) => finished(await api.call('PUT', `${payments}/certificates/${name}`, body === undefined ? {} : { body }));

describe('secrets in the second vault', () => {
  it('sets and reads the payments vault only: same name, own values, own versions, links and listings under the vault', async () => {
    const name = uniqueName('pay-secret');
    const v1 = await api.put(`${payments}/secrets/${name}`, { value: 'payments-1', tags: { vault: 'payments' } });
    expect(v1.status, v1.text).toBe(201);
    expect(v1.headers.get('location')).toBe(`${stack.apiBaseUrl}${payments}/secrets/${name}/versions/${v1.body.version}`);
    expect(v1.body.id.startsWith(`${paymentsUrl}/secrets/${name}/`), v1.body.id).toBe(true);
    expect(errorCodeOf(await api.get(`/secrets/${name}`))).toBe('SecretNotFound');
    expect((await onlyInPayments((vault) => vault.secrets.getSecret(name))).value).toBe('payments-1');

    // The same name in the default vault is another secret.
    expect((await api.put(`/secrets/${name}`, { value: 'main-1' })).status).toBe(201);
    const v2 = await api.put(`${payments}/secrets/${name}`, { value: 'payments-2' });
    expect(v2.status).toBe(200);
    expect((await api.get(`${payments}/secrets/${name}`)).body).toMatchObject({ value: 'payments-2', version: v2.body.version });
    expect((await api.get(`${payments}/secrets/${name}/versions/${v1.body.version}`)).body).toMatchObject({ value: 'payments-1', version: v1.body.version });
    expect((await api.get(`/secrets/${name}/versions/${v1.body.version}`)).status).toBe(404);
    expect((await api.get(`/secrets/${name}`)).body.value).toBe('main-1');
    expect((await vaults.payments.secrets.getSecret(name)).value).toBe('payments-2');
    expect((await vaults.main.secrets.getSecret(name)).value).toBe('main-1');

    const versions = await listAll(`/secrets/${name}/versions?maxPageSize=1`);
    expect(versions.map((v) => v.version).sort()).toEqual([v1.body.version, v2.body.version].sort());
    expect((await api.get(`/secrets/${name}/versions`)).body.value).toHaveLength(1);
    const listed = await listAll('/secrets?maxPageSize=2');
    expect(listed.map((s) => s.name)).toContain(name);
    for (const secret of listed) expect(secret.id.startsWith(`${paymentsUrl}/`), secret.id).toBe(true);
  });

  it('updates properties of the latest version and of one version, and rotates now, in the payments vault only', async () => {
    const name = uniqueName('pay-props');
    const v1 = await api.put(`${payments}/secrets/${name}`, { value: 'one' });
    await api.put(`/secrets/${name}`, { value: 'main' });
    const latest = await api.patch(`${payments}/secrets/${name}`, { tags: { owner: 'payments' }, contentType: 'text/plain' });
    expect(latest.status, latest.text).toBe(200);
    expect(latest.body).toMatchObject({ version: v1.body.version, properties: { tags: { owner: 'payments' }, contentType: 'text/plain' } });

    const rotated = await api.post(`${payments}/secrets/${name}/rotate`);
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.version).not.toBe(v1.body.version);
    const old = await api.patch(`${payments}/secrets/${name}/versions/${v1.body.version}`, { enabled: false });
    expect(old.status, old.text).toBe(200);
    expect(old.body).toMatchObject({ version: v1.body.version, properties: { enabled: false } });
    expect(errorCodeOf(await api.get(`${payments}/secrets/${name}/versions/${v1.body.version}`))).toBe('SecretDisabled');

    const current = await vaults.payments.secrets.getSecret(name);
    expect(current.properties.version).toBe(rotated.body.version);
    expect(current.value).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(current.properties.tags).toMatchObject({ owner: 'payments', 'rotated-at': expect.any(String) });
    const enabled: Record<string, boolean | undefined> = {};
    for await (const version of vaults.payments.secrets.listPropertiesOfSecretVersions(name)) enabled[version.version!] = version.enabled;
    expect(enabled).toEqual({ [v1.body.version]: false, [rotated.body.version]: true });
    // The main vault's secret of that name is untouched.
    const inMain = await vaults.main.secrets.getSecret(name);
    expect(inMain.value).toBe('main');
    expect(inMain.properties.tags ?? {}).toEqual({});
    expect((await api.get(`/secrets/${name}/versions`)).body.value).toHaveLength(1);
  });

  it('deletes, lists and reads deleted, recovers and purges in the payments vault only', async () => {
    const name = uniqueName('pay-delete');
    await api.put(`${payments}/secrets/${name}`, { value: 'v' });
    await api.put(`/secrets/${name}`, { value: 'main' });
    const deleted = await api.delete(`${payments}/secrets/${name}`);
    expect(deleted.status, deleted.text).toBe(200);
    expect(deleted.body.recoveryId).toBe(`${paymentsUrl}/deletedsecrets/${name}`);
    expect((await api.get(`/secrets/${name}`)).body.value).toBe('main');

    expect((await api.get(`${payments}/deleted-secrets/${name}`)).body).toMatchObject({ name, recoveryId: deleted.body.recoveryId });
    expect((await listAll('/deleted-secrets?maxPageSize=1')).map((s) => s.name)).toContain(name);
    expect(errorCodeOf(await api.get(`/deleted-secrets/${name}`))).toBe('DeletedSecretNotFound');
    await onlyInPayments((vault) => vault.secrets.getDeletedSecret(name));
    // The name is taken in the payments vault until it is recovered or purged, and the answer says where.
    const again = await api.put(`${payments}/secrets/${name}`, { value: 'again' });
    expect(errorCodeOf(again)).toBe('ObjectIsDeletedButRecoverable');
    expect(again.body.error.message).toContain(`POST /api${payments}/deleted-secrets/${name}/recover`);

    const recovered = await api.post(`${payments}/deleted-secrets/${name}/recover`);
    expect(recovered.status, recovered.text).toBe(200);
    expect((await vaults.payments.secrets.getSecret(name)).value).toBe('v');

    expect((await api.delete(`${payments}/secrets/${name}`)).status).toBe(200);
    const purged = await api.delete(`${payments}/deleted-secrets/${name}`);
    expect(purged.status, purged.text).toBe(204);
    await expect(vaults.payments.secrets.getDeletedSecret(name)).rejects.toMatchObject({ statusCode: 404 });
    expect((await vaults.main.secrets.getSecret(name)).value).toBe('main');
  });
});

describe('certificates in the second vault', () => {
  it('creates with the default and a custom policy (202, operations under the vault); the same name in the default vault is another certificate', async () => {
    const name = uniqueName('pay-cert');
    const custom = uniqueName('pay-custom');
    const policy = { subject: `CN=${custom}`, keyType: 'EC', keyCurveName: 'P-256', validityInMonths: 6, contentType: 'application/x-pem-file' };
    // The same name in two vaults at once: each vault has its own operation.
    const [inPayments, inMain, withPolicy] = await Promise.all([
      api.put(`${payments}/certificates/${name}`, undefined),
      api.put(`/certificates/${name}`, undefined),
      api.put(`${payments}/certificates/${custom}`, { policy, tags: { vault: 'payments' } }),
    ]);
    expect(inMain.status).toBe(202);
    expect(inMain.body.id).not.toBe(inPayments.body.id);
    const [created, createdInMain, createdCustom] = await Promise.all([
      finished(inPayments),
      waitForOperation(api, inMain.headers.get('operation-location')!),
      finished(withPolicy),
    ]);
    expect(created.target.name).toBe(name);
    expect(createdInMain).toMatchObject({ status: 'Succeeded', target: { name, vault: 'default' } });

    const [fromPayments, fromMain] = await Promise.all([vaults.payments.certificates.getCertificate(name), vaults.main.certificates.getCertificate(name)]);
    expect(fromPayments.properties.version).toBe(created.result.version);
    expect(fromMain.properties.version).toBe(createdInMain.result.version);
    expect(base64(fromPayments.cer)).not.toBe(base64(fromMain.cer));
    const customInPayments = await onlyInPayments((vault) => vault.certificates.getCertificate(custom));
    expect(customInPayments.policy).toMatchObject({ subject: `CN=${custom}`, keyType: 'EC', keyCurveName: 'P-256', validityInMonths: 6 });
    expect(customInPayments.properties.tags).toEqual({ vault: 'payments' });

    const read = await api.get(`${payments}/certificates/${custom}`);
    expect(read.status, read.text).toBe(200);
    expect(read.body).toMatchObject({ name: custom, version: createdCustom.result.version, policy: { keyType: 'EC', contentType: 'application/x-pem-file' } });
    expect(read.body.cer).toBe(base64(customInPayments.cer));
    expect(errorCodeOf(await api.get(`/certificates/${custom}`))).toBe('CertificateNotFound');
    const listed = await listAll('/certificates?maxPageSize=1');
    expect(listed.map((c) => c.name)).toEqual(expect.arrayContaining([name, custom]));
    for (const certificate of listed) expect(certificate.id.startsWith(`${paymentsUrl}/`), certificate.id).toBe(true);
  });

  it('updates properties and policy, renews, lists and reads versions, and imports, in the payments vault only', async () => {
    const name = uniqueName('pay-renew');
    const created = await createInPayments(name);
    const patched = await api.patch(`${payments}/certificates/${name}`, { tags: { env: 'payments' } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.properties.tags).toEqual({ env: 'payments' });
    const policy = await api.patch(`${payments}/certificates/${name}/policy`, { validityInMonths: 3 });
    expect(policy.status, policy.text).toBe(200);
    expect((await api.get(`${payments}/certificates/${name}/policy`)).body.validityInMonths).toBe(3);
    expect((await onlyInPayments((vault) => vault.certificates.getCertificatePolicy(name))).validityInMonths).toBe(3);

    const renewed = await finished(await api.post(`${payments}/certificates/${name}/renew`));
    expect(renewed.result.version).not.toBe(created.result.version);
    const versions = await listAll(`/certificates/${name}/versions?maxPageSize=1`);
    expect(versions.map((v) => v.version).sort()).toEqual([created.result.version, renewed.result.version].sort());
    const first = await api.get(`${payments}/certificates/${name}/versions/${created.result.version}`);
    expect(first.status, first.text).toBe(200);
    expect(first.body.version).toBe(created.result.version);
    expect(first.body.cer).toBe(base64((await vaults.payments.certificates.getCertificateVersion(name, created.result.version)).cer));
    const latest = await vaults.payments.certificates.getCertificate(name);
    expect(latest.properties).toMatchObject({ version: renewed.result.version, tags: { env: 'payments' } });

    // The backing secret of a payments certificate is its PFX: import it as another certificate.
    const pfx = await api.get(`${payments}/secrets/${name}`);
    expect(pfx.body.properties.managed).toBe(true);
    const copy = uniqueName('pay-import');
    const imported = await api.post(`${payments}/certificates/${copy}/import`, { body: { certificate: pfx.body.value } });
    expect(imported.status, imported.text).toBe(201);
    const copyInPayments = await onlyInPayments((vault) => vault.certificates.getCertificate(copy));
    expect(base64(copyInPayments.cer)).toBe(base64(latest.cer));
  });

  it('shows and cancels the pending Key Vault operation of an Unknown-issuer certificate', async () => {
    const name = uniqueName('pay-pending');
    const created = await api.put(`${payments}/certificates/${name}`, { policy: { subject: `CN=${name}`, issuerName: 'Unknown' } });
    expect(created.status, created.text).toBe(202);
    let pending = await api.get(`${payments}/certificates/${name}/pending`);
    for (let i = 0; i < 40 && pending.status === 404; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      pending = await api.get(`${payments}/certificates/${name}/pending`);
    }
    expect(pending.status, pending.text).toBe(200);
    expect(pending.body).toMatchObject({ name, status: 'inProgress', issuerName: 'Unknown' });
    expect((await api.get(`/certificates/${name}/pending`)).status).toBe(404);
    const cancelled = await api.delete(`${payments}/certificates/${name}/pending`);
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body.cancellationRequested).toBe(true);
    expect((await waitForOperation(api, created.headers.get('operation-location')!, 90_000)).status).toBe('Canceled');
  });

  it('deletes (operation), lists and reads deleted, recovers (operation) and purges in the payments vault only', async () => {
    const name = uniqueName('pay-lifecycle');
    await createInPayments(name);
    const deleted = await finished(await api.delete(`${payments}/certificates/${name}`));
    expect(deleted.result.id).toBe(`${paymentsUrl}/deletedcertificates/${name}`);
    expect((await api.get(`${payments}/deleted-certificates/${name}`)).body).toMatchObject({ name, recoveryId: deleted.result.id });
    expect((await listAll('/deleted-certificates?maxPageSize=1')).map((c) => c.name)).toContain(name);
    expect(errorCodeOf(await api.get(`/deleted-certificates/${name}`))).toBe('DeletedCertificateNotFound');
    await onlyInPayments((vault) => vault.certificates.getDeletedCertificate(name));
    const again = await api.put(`${payments}/certificates/${name}`, undefined);
    expect(errorCodeOf(again)).toBe('ObjectIsDeletedButRecoverable');
    expect(again.body.error.message).toContain(`POST /api${payments}/deleted-certificates/${name}/recover`);

    await finished(await api.post(`${payments}/deleted-certificates/${name}/recover`));
    await onlyInPayments((vault) => vault.certificates.getCertificate(name));
    await finished(await api.delete(`${payments}/certificates/${name}`));
    const purged = await api.delete(`${payments}/deleted-certificates/${name}`);
    expect(purged.status, purged.text).toBe(204);
    await expect(vaults.payments.certificates.getDeletedCertificate(name)).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('keys in the second vault', () => {
  it("reads a payments certificate's public key, latest and by version", async () => {
    const name = uniqueName('pay-key');
    const created = await createInPayments(name, { policy: { subject: `CN=${name}`, keyType: 'EC', keyCurveName: 'P-384' } });
    const key = await api.get(`${payments}/keys/${name}`);
    expect(key.status, key.text).toBe(200);
    expect(key.body).toMatchObject({ name, version: created.result.version, key: { kty: 'EC', crv: 'P-384' } });
    expect(key.body.key.d).toBeUndefined();
    const fromSdk = await onlyInPayments((vault) => vault.keys.getKey(name));
    expect(key.body.key.x).toBe(base64(fromSdk.key?.x, 'base64url'));
    const byVersion = await api.get(`${payments}/keys/${name}/versions/${created.result.version}`);
    expect(byVersion.status, byVersion.text).toBe(200);
    expect(byVersion.body.key).toEqual(key.body.key);
    expect(errorCodeOf(await api.get(`/keys/${name}`))).toBe('KeyNotFound');
    expect(errorCodeOf(await api.get(`/keys/${name}/versions/${created.result.version}`))).toBe('KeyNotFound');
  });
});

describe('operations in the second vault', () => {
  it("are found under their vault's route (and the plain route), never under another vault's", async () => {
    const [inPayments, inMain] = await Promise.all([
      api.put(`${payments}/certificates/${uniqueName('pay-op')}`, undefined),
      api.put(`/certificates/${uniqueName('main-op')}`, undefined),
    ]);
    expect([inPayments.status, inMain.status]).toEqual([202, 202]);
    const read = await api.get(`${payments}/operations/${inPayments.body.id}`);
    expect(read.status, read.text).toBe(200);
    expect(read.body).toMatchObject({ id: inPayments.body.id, target: { vault: 'payments' } });
    expect((await api.get(`/operations/${inPayments.body.id}`)).status).toBe(200);
    for (const path of [`${payments}/operations/${inMain.body.id}`, `/vaults/default/operations/${inPayments.body.id}`, `/vaults/main/operations/${inPayments.body.id}`]) {
      const response = await api.get(path);
      expect(response.status, path).toBe(404);
      expect(errorCodeOf(response)).toBe('OperationNotFound');
    }
    await Promise.all([finished(inPayments), waitForOperation(api, inMain.headers.get('operation-location')!)]);
  });
});

describe('vault aliases', () => {
  it('answer 404 VaultNotFound for an alias KEYVAULTS does not name, on every route family', async () => {
    for (const [method, path] of [
      ['PUT', '/vaults/nope/secrets/anything'],
      ['GET', '/vaults/nope/secrets'],
      ['GET', '/vaults/nope/deleted-secrets/anything'],
      ['GET', '/vaults/nope/certificates/anything'],
      ['GET', '/vaults/nope/deleted-certificates'],
      ['GET', '/vaults/nope/keys/anything'],
      ['GET', '/vaults/nope/operations/00000000-0000-4000-8000-000000000000'],
    ] as const) {
      const response = await api.call(method, path, method === 'PUT' ? { body: { value: 'v' } } : {});
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(errorCodeOf(response), `${method} ${path}`).toBe('VaultNotFound');
    }
  });

  it('`default` and `main` both address the default vault (KEYVAULT_URL), as the plain routes do', async () => {
    const name = uniqueName('default-alias');
    expect((await api.put(`/vaults/default/secrets/${name}`, { value: 'v' })).status).toBe(201);
    expect((await api.get(`/secrets/${name}`)).body.value).toBe('v');
    expect((await api.get(`/vaults/main/secrets/${name}`)).body.value).toBe('v');
    expect((await vaults.main.secrets.getSecret(name)).value).toBe('v');
    expect((await api.get(`${payments}/secrets/${name}`)).status).toBe(404);
  });
});
