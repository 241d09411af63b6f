// Import, properties, policy, lists, soft delete / recover / purge, backup / restore, issuers
// and contacts through the real @azure/keyvault-certificates 4.10.3 client.
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { CertificateClient, DefaultCertificatePolicy, type CertificatePolicy } from '@azure/keyvault-certificates';
import type { KeyClient } from '@azure/keyvault-keys';
import type { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../../local/keyvault/index.js';
import { issueSelfSigned } from '../../../../local/keyvault/crypto/issue.js';
import { generateCertificateKey } from '../../../../local/keyvault/crypto/keys.js';
import { pemBlocks, secretPem } from '../../../../local/keyvault/crypto/pem.js';
import { readPkcs12, writePkcs12 } from '../../../../local/keyvault/crypto/pkcs12.js';
import { normalizePolicy, type WireCertificatePolicy } from '../../../../local/keyvault/crypto/policy.js';
import { rawRequest, startTestEmulator, tokenFor } from '../helpers.js';
import { localCertificateClient, startCertificateTestbed } from './helpers.js';

let emulator: RunningEmulator;
let client: CertificateClient;
let secrets: SecretClient;
let keys: KeyClient;
const FAST = { intervalInMs: 50 };
// The service's texts for a value it cannot read as PKCS#12 / PEM.
const PKCS12_UNREADABLE = 'The specified PKCS#12 X.509 certificate content can not be read. Please check if certificate is in valid PKCS#12 format.';
const PEM_UNEXPECTED = 'The specified PEM X.509 certificate content is in an unexpected format. Please check if certificate is in valid PEM format.';

beforeAll(async () => {
  ({ emulator, client, secrets, keys } = await startCertificateTestbed());
});

afterAll(async () => {
  await emulator?.stop();
});

// Nested emulators (below) repoint the managed-identity variables; each test starts from ours.
beforeEach(() => {
  process.env['IDENTITY_ENDPOINT'] = emulator.identityEndpoint;
  process.env['IDENTITY_HEADER'] = emulator.identityHeader;
});

async function externalCertificate(wire: WireCertificatePolicy = { x509_props: { subject: 'CN=imported.example', sans: { dns_names: ['imported.example'] } } }) {
  const policy = normalizePolicy(wire, Math.floor(Date.now() / 1000));
  const key = await generateCertificateKey(policy.key_props);
  return { key, der: await issueSelfSigned(policy, key, new Date()) };
}

async function create(name: string, policy: CertificatePolicy = DefaultCertificatePolicy) {
  return (await client.beginCreateCertificate(name, policy, FAST)).pollUntilDone();
}

describe('importCertificate', () => {
  it('imports a PFX without password and derives the policy', async () => {
    const { key, der } = await externalCertificate();
    const imported = await client.importCertificate('imp-pfx', writePkcs12(key, [der]));
    expect(Buffer.from(imported.cer!)).toEqual(der);
    expect(imported.properties.enabled).toBe(true);
    expect(imported.keyId).toBe(`${emulator.vaultUrl}/keys/imp-pfx/${imported.properties.version}`);
    expect(imported.policy).toMatchObject({
      issuerName: 'Unknown',
      subject: 'CN=imported.example',
      subjectAlternativeNames: { dnsNames: ['imported.example'] },
      contentType: 'application/x-pkcs12',
      validityInMonths: 13,
      keyType: 'RSA',
      keySize: 2048,
      lifetimeActions: [{ action: 'EmailContacts', lifetimePercentage: 80 }],
    });
    const secret = await secrets.getSecret('imp-pfx');
    expect(secret.properties.managed).toBe(true);
    expect(() => createSecureContext({ pfx: Buffer.from(secret.value!, 'base64'), passphrase: '' })).not.toThrow();
    expect((await keys.getKey('imp-pfx')).properties.version).toBe(imported.properties.version);
  });

  it('imports a password-protected PFX; a wrong password is 400', async () => {
    const { key, der } = await externalCertificate({ key_props: { kty: 'EC', crv: 'P-384' }, x509_props: { subject: 'CN=pw' } });
    const pfx = writePkcs12(key, [der], { password: 'Pa55w0rd' });
    await expect(client.importCertificate('imp-pw', pfx, { password: 'nope' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadParameter',
      message: PKCS12_UNREADABLE,
    });
    const imported = await client.importCertificate('imp-pw', pfx, { password: 'Pa55w0rd', tags: { src: 'pfx' } });
    expect(imported.policy).toMatchObject({ keyType: 'EC', keyCurveName: 'P-384' });
    expect(imported.properties.tags).toEqual({ src: 'pfx' });
  });

  it('imports PEM (key after certificate) and keeps the PEM format', async () => {
    const { key, der } = await externalCertificate({ key_props: { kty: 'EC' }, x509_props: { subject: 'CN=pem' } });
    const pem =
      secretPem(key, []) +
      pemBlocks(secretPem(key, [der]))
        .filter((b) => b.label === 'CERTIFICATE')
        .map((b) => b.text + '\n')
        .join('');
    const imported = await client.importCertificate('imp-pem', Buffer.from(`${pemBlocks(pem)[1]!.text}\n${pemBlocks(pem)[0]!.text}\n`), {
      policy: { contentType: 'application/x-pem-file' },
    });
    expect(imported.policy?.contentType).toBe('application/x-pem-file');
    const secret = await secrets.getSecret('imp-pem');
    expect(secret.properties.contentType).toBe('application/x-pem-file');
    expect(pemBlocks(secret.value!).map((b) => b.label)).toEqual(['PRIVATE KEY', 'CERTIFICATE']);
  });

  it('keeps the chain order with preserveCertificateOrder', async () => {
    const ca = await externalCertificate({ x509_props: { subject: 'CN=Some CA' } });
    const { key, der } = await externalCertificate();
    const imported = await client.importCertificate('imp-order', writePkcs12(key, [ca.der, der]), { preserveCertificateOrder: true });
    expect(imported.properties.preserveCertificateOrder).toBe(true);
    expect(Buffer.from(imported.cer!)).toEqual(der);
    const secret = await secrets.getSecret('imp-order');
    expect(readPkcs12(Buffer.from(secret.value!, 'base64'), ['', null]).certificates).toEqual([ca.der, der]);
    const plain = await client.importCertificate('imp-order2', writePkcs12(key, [der, ca.der]));
    expect(plain.properties.preserveCertificateOrder).toBe(false);
  });

  it('imports PEM bytes without a policy (the SDK then sends them base64-encoded)', async () => {
    const { key, der } = await externalCertificate();
    const imported = await client.importCertificate('imp-pem-b64', Buffer.from(secretPem(key, [der])));
    expect(Buffer.from(imported.cer!)).toEqual(der);
    expect(imported.policy?.contentType).toBe('application/x-pem-file');
  });

  it('rejects garbage and certificates without their key with 400', async () => {
    await expect(client.importCertificate('imp-bad', Buffer.from('definitely not a certificate'))).rejects.toMatchObject({
      statusCode: 400,
      message: PKCS12_UNREADABLE,
    });
    await expect(
      client.importCertificate('imp-bad-pem', Buffer.from('-----BEGIN NOTHING-----\n'), { policy: { contentType: 'application/x-pem-file' } }),
    ).rejects.toMatchObject({ statusCode: 400, message: PEM_UNEXPECTED });
    const { der } = await externalCertificate();
    await expect(client.importCertificate('imp-nokey', der)).rejects.toMatchObject({ statusCode: 400, code: 'BadParameter' });
  });
});

describe('properties, policy and lists', () => {
  it('updates properties and cascades enabled to the backing secret', async () => {
    const cert = await create('props');
    const updated = await client.updateCertificateProperties('props', cert.properties.version!, { enabled: false, tags: { a: 'b' } });
    expect(updated.properties.enabled).toBe(false);
    expect(updated.properties.tags).toEqual({ a: 'b' });
    await expect(secrets.getSecret('props')).rejects.toMatchObject({ statusCode: 403 });
    const latest = await client.updateCertificateProperties('props', '', { enabled: true });
    expect(latest.properties.enabled).toBe(true);
    expect((await secrets.getSecret('props')).value).toBeDefined();
    const byVersion = await client.getCertificateVersion('props', cert.properties.version!);
    expect(byVersion.properties.tags).toEqual({ a: 'b' });
  });

  it('gets and updates the policy', async () => {
    await create('pol');
    const policy = await client.getCertificatePolicy('pol');
    expect(policy).toMatchObject({ issuerName: 'Self', keySize: 2048, validityInMonths: 12 });
    await client.updateCertificatePolicy('pol', {
      ...policy,
      keyType: 'EC',
      keyCurveName: 'P-256',
      keySize: undefined,
      validityInMonths: 3,
      contentType: 'application/x-pem-file',
    } as CertificatePolicy);
    const after = await client.getCertificatePolicy('pol');
    expect(after).toMatchObject({ keyType: 'EC', keyCurveName: 'P-256', validityInMonths: 3, contentType: 'application/x-pem-file', subject: 'cn=MyCert' });
    await expect(client.updateCertificatePolicy('pol', { ...after, lifetimeActions: [{ daysBeforeExpiry: 500, action: 'AutoRenew' }] })).rejects.toMatchObject({
      statusCode: 400,
    });
    const renewed = await (await client.beginCreateCertificate('pol', after, FAST)).pollUntilDone();
    expect(new X509Certificate(renewed.cer!).publicKey.asymmetricKeyType).toBe('ec');
    expect((await secrets.getSecret('pol')).properties.contentType).toBe('application/x-pem-file');
    await expect(client.getCertificatePolicy('no-such-cert')).rejects.toMatchObject({ statusCode: 404, code: 'CertificateNotFound' });
  });

  it('lists certificates (base ids, x5t) and versions; unknown names give an empty version list', async () => {
    await create('list-a');
    await create('list-a');
    await create('list-b');
    const all = [];
    for await (const p of client.listPropertiesOfCertificates()) all.push(p);
    const a = all.find((p) => p.name === 'list-a');
    expect(a?.id).toBe(`${emulator.vaultUrl}/certificates/list-a`);
    expect(a?.x509Thumbprint?.length).toBe(20);
    const versions = [];
    for await (const v of client.listPropertiesOfCertificateVersions('list-a')) versions.push(v);
    expect(versions).toHaveLength(2);
    expect(versions[0]?.id).toMatch(/\/certificates\/list-a\/[0-9a-f]{32}$/);
    const none = [];
    for await (const v of client.listPropertiesOfCertificateVersions('never-existed')) none.push(v);
    expect(none).toEqual([]);
  });

  it('pages with maxresults and nextLink (raw)', async () => {
    for (let i = 0; i < 3; i++) await create(`paged-${i}`);
    const token = await tokenFor(emulator);
    const first = await rawRequest(emulator, { path: '/certificates?api-version=2025-07-01&maxresults=2', headers: { authorization: `Bearer ${token}` } });
    const body = first.json() as { value: unknown[]; nextLink: string };
    expect(body.value).toHaveLength(2);
    expect(body.nextLink).toContain('maxresults=2');
  });
});

describe('delete, recover, purge', () => {
  it('soft-deletes with the key and secret, recovers them, and purges them', async () => {
    const cert = await create('life');
    const deleted = await (await client.beginDeleteCertificate('life', FAST)).pollUntilDone();
    expect(deleted.recoveryId).toBe(`${emulator.vaultUrl}/deletedcertificates/life`);
    expect(deleted.deletedOn).toBeInstanceOf(Date);
    expect(deleted.scheduledPurgeDate!.getTime() - deleted.deletedOn!.getTime()).toBe(90 * 86400_000);
    await expect(client.getCertificate('life')).rejects.toMatchObject({ statusCode: 404 });
    await expect(secrets.getSecret('life')).rejects.toMatchObject({ statusCode: 404 });
    await expect(keys.getKey('life')).rejects.toMatchObject({ statusCode: 404 });
    expect((await client.getDeletedCertificate('life')).properties.version).toBe(cert.properties.version);
    const listed = [];
    for await (const d of client.listDeletedCertificates()) listed.push(d.name);
    expect(listed).toContain('life');

    await expect(client.beginCreateCertificate('life', DefaultCertificatePolicy, FAST)).rejects.toMatchObject({ statusCode: 409, code: 'Conflict' });
    const { key, der } = await externalCertificate();
    const conflict = await client.importCertificate('life', writePkcs12(key, [der])).catch((e: unknown) => e);
    expect(conflict).toMatchObject({ statusCode: 409, details: { error: { innerError: { code: 'ObjectIsDeletedButRecoverable' } } } });

    const recovered = await (await client.beginRecoverDeletedCertificate('life', FAST)).pollUntilDone();
    expect(recovered.properties.version).toBe(cert.properties.version);
    expect((await secrets.getSecret('life')).properties.version).toBe(cert.properties.version);
    expect((await keys.getKey('life')).properties.version).toBe(cert.properties.version);

    await (await client.beginDeleteCertificate('life', FAST)).pollUntilDone();
    await client.purgeDeletedCertificate('life');
    await expect(client.getDeletedCertificate('life')).rejects.toMatchObject({ statusCode: 404, code: 'CertificateNotFound' });
    const fresh = await create('life');
    expect(fresh.properties.version).not.toBe(cert.properties.version);
    const secretVersions = [];
    for await (const v of secrets.listPropertiesOfSecretVersions('life')) secretVersions.push(v.version);
    expect(secretVersions).toEqual([fresh.properties.version]);
  });

  it('refuses to reuse the name of a standalone secret', async () => {
    await secrets.setSecret('plain-secret', 'value');
    await expect(client.beginCreateCertificate('plain-secret', DefaultCertificatePolicy, FAST)).rejects.toMatchObject({ statusCode: 409 });
  });
});

describe('vault soft-delete settings', () => {
  it('without soft delete, delete purges the certificate, key and secret at once', async () => {
    const bed = await startCertificateTestbed({ recoverableDays: 0 });
    try {
      await (await bed.client.beginCreateCertificate('nosoft', DefaultCertificatePolicy, FAST)).pollUntilDone();
      const deleted = await (await bed.client.beginDeleteCertificate('nosoft', FAST)).pollUntilDone();
      expect(deleted.recoveryId).toBeUndefined();
      await expect(bed.client.getDeletedCertificate('nosoft')).rejects.toMatchObject({ statusCode: 404 });
      await expect(bed.secrets.getSecret('nosoft')).rejects.toMatchObject({ statusCode: 404 });
      await expect(bed.keys.getKey('nosoft')).rejects.toMatchObject({ statusCode: 404 });
      await (await bed.client.beginCreateCertificate('nosoft', DefaultCertificatePolicy, FAST)).pollUntilDone();
    } finally {
      await bed.emulator.stop();
    }
  });

  it('purge protection refuses the purge and keeps the backing objects recoverable', async () => {
    const bed = await startCertificateTestbed({ purgeProtection: true });
    try {
      await (await bed.client.beginCreateCertificate('protected', DefaultCertificatePolicy, FAST)).pollUntilDone();
      await (await bed.client.beginDeleteCertificate('protected', FAST)).pollUntilDone();
      await expect(bed.client.purgeDeletedCertificate('protected')).rejects.toMatchObject({ statusCode: 403 });
      await (await bed.client.beginRecoverDeletedCertificate('protected', FAST)).pollUntilDone();
      expect((await bed.secrets.getSecret('protected')).value).toBeDefined();
    } finally {
      await bed.emulator.stop();
    }
  });
});

describe('backup and restore', () => {
  it('restores every version with its key and secret', async () => {
    const first = await create('bk');
    const second = await create('bk');
    const blob = await client.backupCertificate('bk');
    expect(blob?.length).toBeGreaterThan(100);
    await expect(client.restoreCertificateBackup(blob!)).rejects.toMatchObject({ statusCode: 409 });
    await (await client.beginDeleteCertificate('bk', FAST)).pollUntilDone();
    await client.purgeDeletedCertificate('bk');
    const restored = await client.restoreCertificateBackup(blob!);
    expect(restored.properties.version).toBe(second.properties.version);
    const versions = [];
    for await (const v of client.listPropertiesOfCertificateVersions('bk')) versions.push(v.version);
    expect(versions.sort()).toEqual([first.properties.version, second.properties.version].sort());
    expect((await secrets.getSecret('bk', { version: first.properties.version! })).properties.managed).toBe(true);
    await expect(client.restoreCertificateBackup(Buffer.from('garbage'))).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('issuers and contacts', () => {
  it('creates, reads, updates, lists and deletes issuers without echoing the password', async () => {
    const created = await client.createIssuer('my-ca', 'Test', {
      accountId: 'acct',
      password: 's3cret',
      organizationId: 'org-1',
      administratorContacts: [{ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '123' }],
    });
    expect(created).toMatchObject({ provider: 'Test', accountId: 'acct', organizationId: 'org-1', enabled: true });
    expect(created.password).toBeUndefined();
    expect(created.administratorContacts).toEqual([{ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '123' }]);
    // 4.10.3 never sends `enabled: false` on updateIssuer (it only copies a truthy value).
    const updated = await client.updateIssuer('my-ca', { accountId: 'acct2', organizationId: 'org-2' });
    expect(updated).toMatchObject({ enabled: true, accountId: 'acct2', organizationId: 'org-2', provider: 'Test' });
    expect((await client.getIssuer('my-ca')).accountId).toBe('acct2');
    const listed = [];
    for await (const i of client.listPropertiesOfIssuers()) listed.push(i);
    expect(listed.map((i) => i.provider)).toEqual(['Test']);

    const op = await client.beginCreateCertificate('via-issuer', { issuerName: 'my-ca', subject: 'CN=via' }, FAST);
    expect(op.isDone()).toBe(false);
    await client.deleteCertificateOperation('via-issuer');

    await client.deleteIssuer('my-ca');
    await expect(client.getIssuer('my-ca')).rejects.toMatchObject({ statusCode: 404 });
    await expect(client.createIssuer('Self', 'Test')).rejects.toMatchObject({ statusCode: 400 });
  });

  it('sets, gets and deletes contacts; 404 when none', async () => {
    await expect(client.getContacts()).rejects.toMatchObject({ statusCode: 404 });
    const contacts = [{ email: 'ops@example.com', name: 'Ops', phone: '555' }, { email: 'sec@example.com' }];
    const set = await client.setContacts(contacts);
    expect(set).toEqual(contacts);
    expect(await client.getContacts()).toEqual(contacts);
    await client.deleteContacts();
    await expect(client.getContacts()).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('RBAC', () => {
  it('a Certificate User can read but not create', async () => {
    const restricted = await startTestEmulator({ roleAssignments: [{ principal: 'system', role: 'Key Vault Certificate User' }] });
    try {
      const reader = localCertificateClient(restricted);
      const error = await reader.beginCreateCertificate('x', DefaultCertificatePolicy).catch((e: unknown) => e);
      expect(error).toMatchObject({ statusCode: 403, message: expect.stringContaining('Microsoft.KeyVault/vaults/certificates/create/action') });
      await expect(reader.getCertificate('x')).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      await restricted.stop();
    }
  });
});
