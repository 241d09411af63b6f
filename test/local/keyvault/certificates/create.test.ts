// Certificate creation through the real @azure/keyvault-certificates client: the long-running
// operation, its pending states, cancel, merge and resumable pollers; backing secret and key
// read with the real secrets and keys clients.
import { createPublicKey, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { CertificateClient, DefaultCertificatePolicy, type CertificatePolicy } from '@azure/keyvault-certificates';
import type { KeyClient } from '@azure/keyvault-keys';
import type { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../../local/keyvault/index.js';
import { pemBlocks, pemEncode } from '../../../../local/keyvault/crypto/pem.js';
import { readPkcs12 } from '../../../../local/keyvault/crypto/pkcs12.js';
import { rawRequest, tokenFor } from '../helpers.js';
import { createTestCa, localCertificateClient, startCertificateTestbed } from './helpers.js';

let emulator: RunningEmulator;
let client: CertificateClient;
let secrets: SecretClient;
let keys: KeyClient;
const FAST = { intervalInMs: 50 };

beforeAll(async () => {
  ({ emulator, client, secrets, keys } = await startCertificateTestbed());
});

afterAll(async () => {
  await emulator?.stop();
});

beforeEach(() => {
  emulator.settings.certificateCreateMs = 0;
});

/** Makes a running create due now, whatever certificateCreateMs it started with: tests stretch the
 * creation so that the machine's speed cannot end it before they have looked at it in progress. */
async function finishNow(name: string): Promise<void> {
  await emulator.store.transaction('localhost', (tx) => {
    const certificate = tx.get<unknown, { pending: { readyAtMs: number } }>('certificate', name)!;
    tx.put({ ...certificate, meta: { ...certificate.meta!, pending: { ...certificate.meta!.pending, readyAtMs: 0 } } });
  });
}

async function pendingStatus(name: string): Promise<Record<string, unknown>> {
  const token = await tokenFor(emulator);
  const res = await rawRequest(emulator, { path: `/certificates/${name}/pending?api-version=2025-07-01`, headers: { authorization: `Bearer ${token}` } });
  return { httpStatus: res.status, ...(res.json() as Record<string, unknown>) };
}

describe('beginCreateCertificate', () => {
  it('creates with the SDK default policy and fills it like the service', async () => {
    const poller = await client.beginCreateCertificate('default-cert', DefaultCertificatePolicy, FAST);
    const cert = await poller.pollUntilDone();
    const version = cert.properties.version!;
    expect(version).toMatch(/^[0-9a-f]{32}$/);
    expect(cert.properties.id).toBe(`${emulator.vaultUrl}/certificates/default-cert/${version}`);
    expect(cert.keyId).toBe(`${emulator.vaultUrl}/keys/default-cert/${version}`);
    expect(cert.secretId).toBe(`${emulator.vaultUrl}/secrets/default-cert/${version}`);
    expect(cert.properties.enabled).toBe(true);
    expect(cert.properties.recoveryLevel).toBe('Recoverable+Purgeable');

    const x509 = new X509Certificate(cert.cer!);
    expect(x509.subject).toBe('CN=MyCert');
    expect(Buffer.from(cert.properties.x509Thumbprint!).toString('hex')).toBe(x509.fingerprint.replace(/:/g, '').toLowerCase());
    expect(cert.properties.notBefore?.getTime()).toBe(new Date(x509.validFrom).getTime());
    expect(cert.properties.expiresOn!.getTime() - cert.properties.notBefore!.getTime()).toBe((365 * 86400 + 600) * 1000);

    expect(cert.policy).toMatchObject({
      issuerName: 'Self',
      subject: 'cn=MyCert',
      keyType: 'RSA',
      keySize: 2048,
      exportable: true,
      reuseKey: false,
      contentType: 'application/x-pkcs12',
      validityInMonths: 12,
      enhancedKeyUsage: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      lifetimeActions: [{ action: 'AutoRenew', lifetimePercentage: 80 }],
      enabled: true,
    });

    const secret = await secrets.getSecret('default-cert');
    expect(secret.properties.version).toBe(version);
    expect(secret.properties.managed).toBe(true);
    expect(secret.properties.contentType).toBe('application/x-pkcs12');
    expect(secret.properties.certificateKeyId).toBe(cert.keyId);
    const pfx = Buffer.from(secret.value!, 'base64');
    expect(() => createSecureContext({ pfx, passphrase: '' })).not.toThrow();
    const opened = readPkcs12(pfx, ['', null]);
    expect(opened.certificates[0]).toEqual(Buffer.from(cert.cer!));

    const key = await keys.getKey('default-cert');
    expect(key.properties.version).toBe(version);
    expect(key.properties.managed).toBe(true);
    expect(key.keyType).toBe('RSA');
    expect(key.keyOperations).toEqual(['sign', 'verify', 'wrapKey', 'unwrapKey', 'encrypt', 'decrypt']);
    expect(key.key?.d).toBeUndefined();
    const jwkPublic = createPublicKey({
      key: { kty: 'RSA', n: Buffer.from(key.key!.n!).toString('base64url'), e: Buffer.from(key.key!.e!).toString('base64url') },
      format: 'jwk',
    });
    expect(jwkPublic.equals(x509.publicKey)).toBe(true);

    const pem = await secrets.getSecret('default-cert', { version });
    expect(pem.value).toBe(secret.value);
  });

  it.each([
    ['EC P-384 as PEM with SANs and custom EKUs', { keyType: 'EC', keyCurveName: 'P-384', contentType: 'application/x-pem-file' }],
    ['RSA 3072 as PKCS#12', { keyType: 'RSA', keySize: 3072 }],
    ['EC P-521', { keyType: 'EC', keyCurveName: 'P-521' }],
    ['EC P-256K', { keyType: 'EC', keyCurveName: 'P-256K' }],
  ] as const)('%s', async (_label, keyPolicy) => {
    const name = `custom-${_label.replace(/[^a-z0-9]/gi, '').slice(0, 20)}`;
    const policy: CertificatePolicy = {
      issuerName: 'Self',
      subject: 'CN=custom.example, O=Contoso',
      subjectAlternativeNames: { dnsNames: ['custom.example', 'www.custom.example'], emails: ['ops@custom.example'] },
      enhancedKeyUsage: ['1.3.6.1.5.5.7.3.1'],
      keyUsage: ['digitalSignature'],
      validityInMonths: 6,
      lifetimeActions: [{ daysBeforeExpiry: 30, action: 'EmailContacts' }],
      ...keyPolicy,
    };
    const cert = await (await client.beginCreateCertificate(name, policy, { ...FAST, tags: { team: 'a' } })).pollUntilDone();
    const x509 = new X509Certificate(cert.cer!);
    expect(x509.subjectAltName).toContain('DNS:custom.example');
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(cert.properties.tags).toEqual({ team: 'a' });
    expect(cert.policy?.lifetimeActions).toEqual([{ action: 'EmailContacts', daysBeforeExpiry: 30 }]);
    expect(cert.policy?.subjectAlternativeNames).toMatchObject({ dnsNames: ['custom.example', 'www.custom.example'] });

    const secret = await secrets.getSecret(name);
    const key = await keys.getKey(name);
    if (keyPolicy.keyType === 'EC') {
      expect(key.keyType).toBe('EC');
      expect(key.key?.crv).toBe(keyPolicy.keyCurveName);
      expect(key.keyOperations).toEqual(['sign', 'verify']);
      expect(x509.publicKey.asymmetricKeyType).toBe('ec');
    } else {
      expect(x509.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    }
    if (policy.contentType === 'application/x-pem-file') {
      expect(secret.properties.contentType).toBe('application/x-pem-file');
      const blocks = pemBlocks(secret.value!);
      expect(blocks.map((b) => b.label)).toEqual(['PRIVATE KEY', 'CERTIFICATE']);
      expect(blocks[1]?.der).toEqual(Buffer.from(cert.cer!));
    } else {
      expect(() => createSecureContext({ pfx: Buffer.from(secret.value!, 'base64'), passphrase: '' })).not.toThrow();
    }
  });

  it('serves the PFX as PEM with outContentType', async () => {
    await (await client.beginCreateCertificate('pem-out', DefaultCertificatePolicy, FAST)).pollUntilDone();
    const token = await tokenFor(emulator);
    const res = await rawRequest(emulator, {
      path: '/secrets/pem-out/?api-version=2025-07-01&outContentType=application/x-pem-file',
      headers: { authorization: `Bearer ${token}` },
    });
    const body = res.json() as { value: string; contentType: string };
    expect(body.contentType).toBe('application/x-pem-file');
    expect(body.value.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
  });

  it('rejects invalid policies with 400 BadParameter', async () => {
    await expect(client.beginCreateCertificate('bad-size', { ...DefaultCertificatePolicy, keySize: 1024 } as CertificatePolicy)).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadParameter',
    });
    await expect(
      client.beginCreateCertificate('bad-pct', { ...DefaultCertificatePolicy, lifetimeActions: [{ lifetimePercentage: 100, action: 'AutoRenew' }] }),
    ).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/between 1 and 99/) });
    await expect(client.beginCreateCertificate('bad-crv', { issuerName: 'Self', subject: 'CN=x', keyType: 'EC', keyCurveName: 'P-224' as never })).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/P-224/),
    });
    await expect(client.beginCreateCertificate('bad-issuer', { issuerName: 'NoSuchIssuer', subject: 'CN=x' })).rejects.toMatchObject({ statusCode: 400 });
    await expect(client.beginCreateCertificate('bad-subject', { issuerName: 'Self', subject: 'not a name' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadParameter',
      message: 'Property policy.x509_props has invalid value. Invalid X.500 distinguished name\r\n',
    });
    const twoActions = [
      { lifetimePercentage: 50, action: 'AutoRenew' as const },
      { daysBeforeExpiry: 5, action: 'EmailContacts' as const },
    ];
    await expect(client.beginCreateCertificate('two-actions', { ...DefaultCertificatePolicy, lifetimeActions: twoActions })).rejects.toMatchObject({
      statusCode: 400,
      message: 'At most one action is allowed',
    });
  });

  it('creates a new version with reuseKey keeping the key', async () => {
    const policy: CertificatePolicy = { issuerName: 'Self', subject: 'CN=reuse', keyType: 'EC', reuseKey: true };
    const first = await (await client.beginCreateCertificate('reuse', policy, FAST)).pollUntilDone();
    const second = await (await client.beginCreateCertificate('reuse', policy, FAST)).pollUntilDone();
    expect(second.properties.version).not.toBe(first.properties.version);
    expect(new X509Certificate(second.cer!).publicKey.equals(new X509Certificate(first.cer!).publicKey)).toBe(true);
    const third = await (await client.beginCreateCertificate('reuse', { ...policy, reuseKey: false }, FAST)).pollUntilDone();
    expect(new X509Certificate(third.cer!).publicKey.equals(new X509Certificate(first.cer!).publicKey)).toBe(false);
    const versions = [];
    for await (const v of client.listPropertiesOfCertificateVersions('reuse')) versions.push(v.version);
    expect(versions.sort()).toEqual([first, second, third].map((c) => c.properties.version).sort());
  });
});

describe('pending operations', () => {
  it('stays inProgress for certificateCreateMs, shows the pending-only certificate, then completes', async () => {
    emulator.settings.certificateCreateMs = 600_000;
    const poller = await client.beginCreateCertificate('slow', DefaultCertificatePolicy, { intervalInMs: 100 });
    expect(poller.isDone()).toBe(false);
    expect(await pendingStatus('slow')).toMatchObject({ status: 'inProgress', cancellation_requested: false, issuer: { name: 'Self' } });
    expect(poller.getResult()?.name).toBe('slow');

    const pendingCert = await client.getCertificate('slow');
    expect(pendingCert.properties.enabled).toBe(false);
    expect(pendingCert.cer).toBeUndefined();
    expect(pendingCert.keyId).toBeUndefined();

    const listed: string[] = [];
    for await (const c of client.listPropertiesOfCertificates()) listed.push(c.name!);
    expect(listed).not.toContain('slow');
    const withPending: string[] = [];
    for await (const c of client.listPropertiesOfCertificates({ includePending: true })) withPending.push(c.name!);
    expect(withPending).toContain('slow');

    const opPoller = await client.getCertificateOperation('slow', { intervalInMs: 100 });
    expect(opPoller.getOperationState().certificateOperation?.status).toBe('inProgress');
    expect(opPoller.getOperationState().certificateOperation?.csr?.length).toBeGreaterThan(100);

    await finishNow('slow');
    const cert = await poller.pollUntilDone();
    expect(cert.cer).toBeDefined();
    const op = await pendingStatus('slow');
    expect(op).toMatchObject({ httpStatus: 200, status: 'completed', target: expect.stringMatching(/^https:\/\/[^/]+\/certificates\/slow$/) });
    expect(op['status_details']).toBeUndefined();
    expect((await opPoller.pollUntilDone()).properties.version).toBe(cert.properties.version);
  });

  it('resumes a create poller from its serialized state in another client', async () => {
    // Long enough that the operation is surely still running when its state is taken...
    emulator.settings.certificateCreateMs = 600_000;
    const poller = await client.beginCreateCertificate('resumable', DefaultCertificatePolicy, FAST);
    const state = poller.toString();
    expect(JSON.parse(state).state).toMatchObject({ certificateName: 'resumable', isStarted: true });
    expect(JSON.parse(state).state.isCompleted).toBeFalsy();
    // ...then due at once, so that the resumed poller sees it finish.
    await finishNow('resumable');
    const other = localCertificateClient(emulator);
    const resumed = await other.beginCreateCertificate('resumable', DefaultCertificatePolicy, { ...FAST, resumeFrom: state });
    const cert = await resumed.pollUntilDone();
    expect(cert.properties.version).toMatch(/^[0-9a-f]{32}$/);
    const versions = [];
    for await (const v of client.listPropertiesOfCertificateVersions('resumable')) versions.push(v.version);
    expect(versions).toHaveLength(1);
    const again = await client.getCertificateOperation('resumable', { resumeFrom: state });
    expect((await again.pollUntilDone()).properties.version).toBe(cert.properties.version);
  });

  it('cancels: PATCH keeps inProgress, the poller rejects, then the operation reads cancelled and can be deleted', async () => {
    emulator.settings.certificateCreateMs = 60_000;
    const poller = await client.beginCreateCertificate('cancel-me', DefaultCertificatePolicy, FAST);
    // A cancellation takes certificateCreateMs to take effect: none here.
    emulator.settings.certificateCreateMs = 0;
    await poller.cancelOperation();
    await expect(poller.pollUntilDone()).rejects.toThrow();
    expect(await pendingStatus('cancel-me')).toMatchObject({ status: 'cancelled', cancellation_requested: true });
    const deleted = await client.deleteCertificateOperation('cancel-me');
    expect(deleted.status).toBe('cancelled');
    expect(await pendingStatus('cancel-me')).toMatchObject({ httpStatus: 404, error: { code: 'PendingCertificateNotFound' } });
    await expect(client.getCertificate('cancel-me')).rejects.toMatchObject({ statusCode: 404, code: 'CertificateNotFound' });
  });

  it('refuses a second create while one is in progress', async () => {
    emulator.settings.certificateCreateMs = 60_000;
    await client.beginCreateCertificate('busy', DefaultCertificatePolicy, FAST);
    await expect(client.beginCreateCertificate('busy', DefaultCertificatePolicy, FAST)).rejects.toMatchObject({ statusCode: 409 });
    await client.deleteCertificateOperation('busy');
  });

  it('an issuer with the EmulatorFailure provider makes the operation fail', async () => {
    await client.createIssuer('broken-ca', 'EmulatorFailure');
    // The poller's first poll (inside begin…) already sees the failure.
    const created = client.beginCreateCertificate('doomed', { issuerName: 'broken-ca', subject: 'CN=doomed' }, FAST).then((p) => p.pollUntilDone());
    await expect(created).rejects.toThrow(/rejected the certificate request/);
    expect(await pendingStatus('doomed')).toMatchObject({ status: 'failed', error: { code: 'Request rejected' } });
    await client.deleteCertificateOperation('doomed');
  });

  it('Unknown issuer stays pending until an externally signed chain is merged', async () => {
    const ca = await createTestCa();
    const poller = await client.beginCreateCertificate('external', { issuerName: 'Unknown', subject: 'CN=external.example', keyType: 'EC' }, FAST);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await pendingStatus('external'))['status']).toBe('inProgress');
    const csr = (await client.getCertificateOperation('external')).getOperationState().certificateOperation!.csr!;

    await client.beginCreateCertificate('external-other', { issuerName: 'Unknown', subject: 'CN=o' }, FAST);
    const otherCsr = (await client.getCertificateOperation('external-other')).getOperationState().certificateOperation!.csr!;
    const wrongLeaf = await ca.sign(otherCsr);
    await expect(client.mergeCertificate('external', [wrongLeaf])).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadParameter',
      message: "Public key from x509 certificate and key of this instance doesn't match",
    });

    const leaf = await ca.sign(csr);
    const merged = await client.mergeCertificate('external', [leaf, ca.der]);
    expect(Buffer.from(merged.cer!)).toEqual(leaf);
    expect(merged.policy?.issuerName).toBe('Unknown');
    expect(merged.policy?.lifetimeActions).toEqual([{ action: 'EmailContacts', lifetimePercentage: 80 }]);
    expect((await pendingStatus('external'))['status']).toBe('completed');
    const done = await poller.pollUntilDone();
    expect(done.properties.version).toBe(merged.properties.version);
    const pfx = readPkcs12(Buffer.from((await secrets.getSecret('external')).value!, 'base64'), ['', null]);
    expect(pfx.certificates).toEqual([leaf, ca.der]);
    await expect(client.mergeCertificate('external', [leaf])).rejects.toMatchObject({ statusCode: 403 });
    await expect(client.mergeCertificate('never-created', [leaf])).rejects.toMatchObject({ statusCode: 404, code: 'PendingCertificateNotFound' });
  });

  it("merges what the JS SDK's own merge test sends: the PEM body and END line as bytes", async () => {
    const ca = await createTestCa();
    await client.beginCreateCertificate('sdk-style', { issuerName: 'Unknown', certificateTransparency: false, subject: 'cn=MyCert' }, FAST);
    const { csr } = (await client.getCertificateOperation('sdk-style')).getOperationState().certificateOperation!;
    const leaf = await ca.sign(csr!);
    await expect(client.mergeCertificate('sdk-style', [Buffer.from('not a certificate')])).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadParameter',
      message: 'Unable to parse X5c certificate chain and locate leaf certificate',
    });
    // test.crt as openssl writes it, read back the way mergeAndImport.spec.ts does.
    const testCrt = pemEncode('CERTIFICATE', leaf);
    const base64Crt = testCrt.split('\n').slice(1, -1).join('');
    expect(base64Crt.endsWith('-----END CERTIFICATE-----')).toBe(true);
    const merged = await client.mergeCertificate('sdk-style', [Buffer.from(base64Crt)]);
    expect(Buffer.from(merged.cer!)).toEqual(leaf);
    expect(merged.properties.enabled).toBe(true);
    expect((await pendingStatus('sdk-style'))['status']).toBe('completed');
  });
});
