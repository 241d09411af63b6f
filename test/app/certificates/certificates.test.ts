// The certificates API and its queue worker end to end: HTTP → host → app → queue → worker →
// Key Vault SDK pollers → emulator.
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { describe, expect, inject, it } from 'vitest';
import { ApiClient, errorCodeOf, uniqueName } from '../../support/api.js';
import { waitForOperation } from '../../support/operations.js';

const stack = inject('stack');
const api = new ApiClient(stack.apiBaseUrl, stack.functionKey);

async function createAndWait(name: string, body?: unknown) {
  const response = await api.call('PUT', `/certificates/${name}`, body === undefined ? {} : { body });
  expect(response.status, response.text).toBe(202);
  return waitForOperation(api, response.headers.get('operation-location')!);
}

describe('certificates: create, read, update', () => {
  it('creates with the default policy: 202 + Operation-Location, then properties, policy, CER and PEM but no private key', async () => {
    const name = uniqueName('default');
    const response = await api.put(`/certificates/${name}`, undefined);
    expect(response.status).toBe(202);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.body).toMatchObject({ kind: 'certificate.create', target: { type: 'certificate', name }, status: 'NotStarted', attempts: 0 });
    const location = response.headers.get('operation-location')!;
    expect(location).toBe(`${stack.apiBaseUrl}/operations/${response.body.id}`);

    const operation = await waitForOperation(api, location);
    expect(operation).toMatchObject({ status: 'Succeeded', result: { version: expect.stringMatching(/^[0-9a-f]{32}$/) } });
    expect(operation.error).toBeUndefined();

    const certificate = await api.get(`/certificates/${name}`);
    expect(certificate.status).toBe(200);
    expect(certificate.body).toMatchObject({ name, version: operation.result.version, policy: { subject: `CN=${name}`, issuerName: 'Self', keyType: 'RSA', keySize: 2048 } });
    const x509 = new X509Certificate(Buffer.from(certificate.body.cer, 'base64'));
    expect(x509.subject).toBe(`CN=${name}`);
    expect(certificate.body.pem).toBe(x509.toString());
    expect(certificate.text).not.toMatch(/PRIVATE KEY/);
    expect(certificate.body.properties.x509Thumbprint).toBe(x509.fingerprint.replace(/:/g, '').toLowerCase());
  });

  it('creates with a custom policy: EC key, SANs, EKUs, validity, PEM secret', async () => {
    const name = uniqueName('custom');
    const policy = {
      subject: 'CN=api.contoso.test, O=Contoso',
      subjectAlternativeNames: { dnsNames: ['api.contoso.test', 'www.contoso.test'], emails: ['ops@contoso.test'] },
      keyType: 'EC',
      keyCurveName: 'P-256',
      exportable: true,
      reuseKey: false,
      contentType: 'application/x-pem-file',
      validityInMonths: 6,
      enhancedKeyUsage: ['1.3.6.1.5.5.7.3.1'],
      keyUsage: ['digitalSignature'],
      lifetimeActions: [{ action: 'AutoRenew', daysBeforeExpiry: 30 }],
    };
    const operation = await createAndWait(name, { policy, tags: { app: 'api' } });
    expect(operation.status).toBe('Succeeded');
    const certificate = await api.get(`/certificates/${name}`);
    expect(certificate.body.properties.tags).toEqual({ app: 'api' });
    expect(certificate.body.policy).toMatchObject({ keyType: 'EC', keyCurveName: 'P-256', contentType: 'application/x-pem-file', validityInMonths: 6 });
    const x509 = new X509Certificate(Buffer.from(certificate.body.cer, 'base64'));
    expect(x509.subjectAltName).toContain('DNS:www.contoso.test');
    expect(x509.subjectAltName).toContain('email:ops@contoso.test');
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const days = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / 86_400_000;
    expect(days).toBeGreaterThan(170);
    expect(days).toBeLessThan(200);
  });

  it('a second create while one runs returns the running operation; each create makes exactly one version', async () => {
    const name = uniqueName('twice');
    const [first, second] = await Promise.all([api.put(`/certificates/${name}`, undefined), api.put(`/certificates/${name}`, undefined)]);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.id).toBe(first.body.id);
    await waitForOperation(api, first.headers.get('operation-location')!);
    const renewed = await api.post(`/certificates/${name}/renew`);
    expect(renewed.status).toBe(202);
    expect(renewed.body.id).not.toBe(first.body.id);
    expect((await waitForOperation(api, renewed.headers.get('operation-location')!)).status).toBe('Succeeded');
    const versions = await api.get(`/certificates/${name}/versions`);
    expect(versions.body.value).toHaveLength(2);
  });

  it('updates properties and policy, lists versions and certificates with paging', async () => {
    const name = uniqueName('props');
    await createAndWait(name);
    const patched = await api.patch(`/certificates/${name}`, { tags: { env: 'test' } });
    expect(patched.status).toBe(200);
    expect(patched.body.properties.tags).toEqual({ env: 'test' });
    const policy = await api.patch(`/certificates/${name}/policy`, { validityInMonths: 3 });
    expect(policy.status).toBe(200);
    expect(policy.body.validityInMonths).toBe(3);
    expect((await api.get(`/certificates/${name}/policy`)).body.validityInMonths).toBe(3);

    const first = await api.get('/certificates?maxPageSize=1');
    expect(first.status).toBe(200);
    expect(first.body.value).toHaveLength(1);
    expect(first.body.nextLink).toContain('continuationToken=');
    const second = await api.get(first.body.nextLink);
    expect(second.body.value).toHaveLength(1);
    expect(second.body.value[0].id).not.toBe(first.body.value[0].id);

    // Filters travel with the nextLink, so the token stays valid for its listing.
    const pending = await api.get('/certificates?includePending=true&maxPageSize=1');
    expect(new URL(pending.body.nextLink).searchParams.get('includePending')).toBe('true');
    expect((await api.get(pending.body.nextLink)).status).toBe(200);
  });
});

describe('certificates: import', () => {
  it('imports PEM (key + certificate) and a PFX taken from a created certificate', async () => {
    // A PFX: the backing secret of a created certificate is the base64 PKCS#12.
    const source = uniqueName('pfxsrc');
    await createAndWait(source);
    const secret = await api.get(`/secrets/${source}`);
    expect(secret.body.properties.managed).toBe(true);
    const pfxName = uniqueName('pfx');
    const imported = await api.post(`/certificates/${pfxName}/import`, { body: { certificate: secret.body.value } });
    expect(imported.status, imported.text).toBe(201);
    expect(imported.body.cer).toBe((await api.get(`/certificates/${source}`)).body.cer);
    expect(imported.text).not.toMatch(/PRIVATE KEY/);

    // PEM (private key block, then the certificate): the backing secret of a PEM certificate.
    const pemSource = uniqueName('pemsrc');
    await createAndWait(pemSource, { policy: { subject: `CN=${pemSource}`, contentType: 'application/x-pem-file' } });
    const pem = (await api.get(`/secrets/${pemSource}`)).body.value as string;
    expect(pem).toContain('-----BEGIN PRIVATE KEY-----');
    const pemImport = await api.post(`/certificates/${uniqueName('pem')}/import`, { body: { certificate: pem, tags: { src: 'pem' } } });
    expect(pemImport.status, pemImport.text).toBe(201);
    expect(pemImport.body.properties.tags).toEqual({ src: 'pem' });
  });

  it('imports a password-protected PFX, and says so when the password is wrong', async () => {
    const source = uniqueName('pwsrc');
    await createAndWait(source);
    const pfx = (await api.get(`/secrets/${source}`)).body.value as string;
    // Re-wrap the vault's PFX (empty password) with a password, as exported by other tools.
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.decode64(pfx)), '');
    const keyBag = forge.pki.oids.pkcs8ShroudedKeyBag!;
    const certBag = forge.pki.oids.certBag!;
    const key = p12.getBags({ bagType: keyBag })[keyBag]![0]!.key!;
    const certificate = p12.getBags({ bagType: certBag })[certBag]![0]!.cert!;
    const protectedPfx = forge.util.encode64(forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(key, [certificate], 'hunter2', { algorithm: '3des' })).getBytes());

    const name = uniqueName('pw');
    const wrong = await api.post(`/certificates/${name}/import`, { body: { certificate: protectedPfx, password: 'nope' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/password|PKCS#12|read/i);
    expect(wrong.text).not.toContain('nope');
    const imported = await api.post(`/certificates/${name}/import`, { body: { certificate: protectedPfx, password: 'hunter2' } });
    expect(imported.status, imported.text).toBe(201);
    expect(imported.body.cer).toBe((await api.get(`/certificates/${source}`)).body.cer);
  });

  it('says why content cannot be imported', async () => {
    const name = uniqueName('badimport');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const otherKeyPem = createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' })).export({ format: 'pem', type: 'pkcs8' }) as string;
    const created = uniqueName('certonly');
    await createAndWait(created);
    const certPem = (await api.get(`/certificates/${created}`)).body.pem as string;
    const cases: [string, RegExp][] = [
      ['not a certificate at all!', /neither PEM text nor base64/],
      ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----', /not a valid X.509/],
      [certPem, /no PRIVATE KEY block/],
      [otherKeyPem, /no CERTIFICATE block/],
      [certPem + otherKeyPem, /does not belong/],
      [Buffer.from('definitely not a pfx').toString('base64'), /Key Vault rejected/],
    ];
    for (const [certificate, why] of cases) {
      const response = await api.post(`/certificates/${name}/import`, { body: { certificate } });
      expect(response.status, certificate.slice(0, 30)).toBe(400);
      expect(response.body.error.message).toMatch(why);
      expect(response.text).not.toContain('PRIVATE KEY-----\nAAAA');
    }
    expect((await api.get(`/certificates/${name}`)).status).toBe(404);
  });
});

describe('certificates: delete, recover, purge, pending operations', () => {
  it('deletes (202 operation), blocks re-create with 409, recovers (202 operation) and purges', async () => {
    const name = uniqueName('lifecycle');
    await createAndWait(name);
    const deleted = await api.delete(`/certificates/${name}`);
    expect(deleted.status).toBe(202);
    expect(deleted.body.kind).toBe('certificate.delete');
    const deleteOperation = await waitForOperation(api, deleted.headers.get('operation-location')!);
    expect(deleteOperation).toMatchObject({ status: 'Succeeded', result: { id: expect.stringContaining(`/deletedcertificates/${name}`) } });
    expect((await api.get(`/certificates/${name}`)).status).toBe(404);
    expect((await api.get(`/deleted-certificates/${name}`)).body).toMatchObject({ name, recoveryId: deleteOperation.result.id });
    const listed = await api.get('/deleted-certificates');
    expect(listed.status).toBe(200);

    const again = await api.put(`/certificates/${name}`, undefined);
    expect(again.status).toBe(409);
    expect(errorCodeOf(again)).toBe('ObjectIsDeletedButRecoverable');
    expect(again.body.error.message).toContain(`POST /api/deleted-certificates/${name}/recover`);

    const recovered = await api.post(`/deleted-certificates/${name}/recover`);
    expect(recovered.status).toBe(202);
    expect((await waitForOperation(api, recovered.headers.get('operation-location')!)).status).toBe('Succeeded');
    expect((await api.get(`/certificates/${name}`)).status).toBe(200);

    await waitForOperation(api, (await api.delete(`/certificates/${name}`)).headers.get('operation-location')!);
    expect((await api.delete(`/deleted-certificates/${name}`)).status).toBe(204);
    expect((await api.get(`/deleted-certificates/${name}`)).status).toBe(404);
  });

  it('shows and cancels the pending Key Vault operation of an Unknown-issuer certificate', async () => {
    const name = uniqueName('unknown');
    const created = await api.put(`/certificates/${name}`, { policy: { subject: `CN=${name}`, issuerName: 'Unknown' } });
    expect(created.status).toBe(202);
    let pending = await api.get(`/certificates/${name}/pending`);
    for (let i = 0; i < 40 && pending.status === 404; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      pending = await api.get(`/certificates/${name}/pending`);
    }
    expect(pending.status).toBe(200);
    expect(pending.body).toMatchObject({ name, status: 'inProgress', issuerName: 'Unknown' });
    expect(pending.body.csr).toMatch(/^[A-Za-z0-9+/=]+$/);

    const cancelled = await api.delete(`/certificates/${name}/pending`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.cancellationRequested).toBe(true);
    const operation = await waitForOperation(api, created.headers.get('operation-location')!, 90_000);
    expect(operation.status).toBe('Canceled');

    // Cancelling it again: Key Vault refuses because it is over, which is not a question of access.
    const again = await api.delete(`/certificates/${name}/pending`);
    expect(again.status).toBe(403);
    expect(errorCodeOf(again)).toBe('OperationNotAllowed');
    expect(again.body.error.message).toContain('Pending status must be in progress');
  });

  it('answers 404 for unknown certificates and operations, and 400 for invalid policies', async () => {
    const name = uniqueName('nocert');
    for (const [method, path] of [
      ['GET', `/certificates/${name}`],
      ['GET', `/certificates/${name}/policy`],
      ['DELETE', `/certificates/${name}`],
      ['POST', `/certificates/${name}/renew`],
      ['GET', `/deleted-certificates/${name}`],
      ['POST', `/deleted-certificates/${name}/recover`],
      ['GET', `/operations/00000000-0000-4000-8000-000000000000`],
    ] as const) {
      expect((await api.call(method, path)).status, `${method} ${path}`).toBe(404);
    }
    for (const [policy, target] of [
      [{ subject: 'CN=x', keySize: 1024 }, 'policy.keySize'],
      [{ subject: 'CN=x', keyType: 'EC', keySize: 2048 }, 'policy'],
      [{ subject: 'CN=x', color: 'blue' }, 'policy.color'],
      [{ keyType: 'RSA' }, 'policy'],
      [{ subject: 'CN=x', lifetimeActions: [{ action: 'AutoRenew', lifetimePercentage: 100 }] }, 'policy.lifetimeActions.0.lifetimePercentage'],
    ] as const) {
      const response = await api.put(`/certificates/${name}`, { policy });
      expect(response.status, JSON.stringify(policy)).toBe(400);
      expect(response.body.error.target).toBe(target);
    }
  });
});

describe('certificate jobs: duplicate delivery', () => {
  it('the same job delivered three times at once still makes one version and one successful operation', async () => {
    const name = uniqueName('dup');
    const created = await api.put(`/certificates/${name}`, undefined);
    const job = { v: 1, operationId: created.body.id, kind: 'certificate.create', name, policy: { issuerName: 'Self', subject: `CN=${name}` }, attempt: 0 };
    const client: QueueClient = QueueServiceClient.fromConnectionString(stack.storage.connectionString).getQueueClient('certificate-jobs');
    const text = Buffer.from(JSON.stringify(job)).toString('base64');
    await Promise.all([client.sendMessage(text), client.sendMessage(text)]);
    const operation = await waitForOperation(api, created.headers.get('operation-location')!, 90_000);
    expect(operation.status).toBe('Succeeded');
    // Give the duplicates time to run to their end, then count versions.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await api.get(`/certificates/${name}/versions`)).body.value).toHaveLength(1);
    expect((await api.get(`/operations/${created.body.id}`)).body.status).toBe('Succeeded');
  });
});
