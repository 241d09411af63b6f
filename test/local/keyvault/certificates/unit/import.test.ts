import { createPublicKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CertificateInputError } from '../../../../../local/keyvault/crypto/errors.js';
import { derivePolicy, parseImportValue, validityMonthsOf } from '../../../../../local/keyvault/crypto/importCertificate.js';
import { chainPem, pemBlocks, pemEncode, secretPem } from '../../../../../local/keyvault/crypto/pem.js';
import { writePkcs12 } from '../../../../../local/keyvault/crypto/pkcs12.js';
import { caSignedChain, NOW_SECONDS, selfSigned } from './fixtures.js';
import { hasOpenssl, openssl } from './openssl.js';

// The service's texts for a value it cannot read in the format it took it for.
const PKCS12_UNREADABLE = 'The specified PKCS#12 X.509 certificate content can not be read. Please check if certificate is in valid PKCS#12 format.';
const PEM_UNEXPECTED = 'The specified PEM X.509 certificate content is in an unexpected format. Please check if certificate is in valid PEM format.';
const rejectsWith = (value: string, message: string, password?: string) => expect(() => parseImportValue(value, password)).toThrow(new CertificateInputError(message));

const samePublicKey = (a: Parameters<typeof createPublicKey>[0], b: Parameters<typeof createPublicKey>[0]) => createPublicKey(a).equals(createPublicKey(b));

describe('secretPem', () => {
  it('puts the unencrypted PKCS#8 key first, then the chain, with \\n endings', async () => {
    const { ca, leaf } = await caSignedChain();
    const pem = secretPem(leaf.key, [leaf.der, ca.der]);
    expect(pem).not.toContain('\r');
    expect(pem.endsWith('-----END CERTIFICATE-----\n')).toBe(true);
    expect(pemBlocks(pem).map((b) => b.label)).toEqual(['PRIVATE KEY', 'CERTIFICATE', 'CERTIFICATE']);
    expect(pem.split('\n').every((line) => line.length <= 64)).toBe(true);
    expect(pemBlocks(pem)[1]?.der).toEqual(leaf.der);
    expect(chainPem([leaf.der])).toBe(pemEncode('CERTIFICATE', leaf.der));
  });
});

describe('parseImportValue — PFX', () => {
  it.each([
    ['RSA', { kty: 'RSA' }],
    ['EC', { kty: 'EC', crv: 'P-384' }],
  ])('%s PFX with an empty password (as Key Vault exports)', async (_label, keyProps) => {
    const { key, der } = await selfSigned({ key_props: keyProps, x509_props: { subject: 'CN=imp' } });
    const imported = parseImportValue(writePkcs12(key, [der]).toString('base64'));
    expect(imported.format).toBe('application/x-pkcs12');
    expect(imported.chain).toEqual([der]);
    expect(samePublicKey(imported.privateKey, key)).toBe(true);
  });

  it('PFX with a password, pwd given; a wrong or missing pwd gets the service text', async () => {
    const { key, der } = await selfSigned();
    const value = writePkcs12(key, [der], { password: 'hunter2' }).toString('base64');
    expect(parseImportValue(value, 'hunter2').chain).toEqual([der]);
    rejectsWith(value, PKCS12_UNREADABLE);
    rejectsWith(value, PKCS12_UNREADABLE, 'nope');
  });

  it('an empty-password PFX opens with no pwd, pwd "" (null arrives as no pwd) and any pwd', async () => {
    const { key, der } = await selfSigned();
    const value = writePkcs12(key, [der]).toString('base64');
    for (const pwd of [undefined, '', 'ignored']) expect(parseImportValue(value, pwd).chain).toEqual([der]);
  });

  it('base64 with line breaks is accepted', async () => {
    const { key, der } = await selfSigned();
    const wrapped = writePkcs12(key, [der]).toString('base64').replace(/.{76}/g, '$&\r\n');
    expect(parseImportValue(wrapped).chain).toEqual([der]);
  });

  it('moves the leaf first unless the order is preserved', async () => {
    const { ca, leaf } = await caSignedChain();
    const value = writePkcs12(leaf.key, [leaf.der, ca.der]).toString('base64');
    expect(parseImportValue(value).chain).toEqual([leaf.der, ca.der]);
    const pem = secretPem(leaf.key, [ca.der, leaf.der]);
    expect(parseImportValue(pem).chain).toEqual([leaf.der, ca.der]);
    expect(parseImportValue(pem, undefined, true).chain).toEqual([ca.der, leaf.der]);
  });

  it.skipIf(!hasOpenssl)('a PFX made by openssl with a password', async () => {
    const { key, der } = await selfSigned({ key_props: { kty: 'EC' }, x509_props: { subject: 'CN=o' } });
    const out = openssl(
      ['pkcs12', '-export', '-inkey', 'k.pem', '-in', 'c.pem', '-passout', 'pass:pw', '-out', 'o.pfx'],
      { 'k.pem': key.export({ type: 'pkcs8', format: 'pem' }), 'c.pem': pemEncode('CERTIFICATE', der) },
      ['o.pfx'],
    );
    expect(parseImportValue((out.files['o.pfx'] as Buffer).toString('base64'), 'pw').chain).toEqual([der]);
  });
});

describe('parseImportValue — PEM', () => {
  it.each([
    ['RSA PKCS#8', { kty: 'RSA' }, { type: 'pkcs8' }, 'PRIVATE KEY'],
    ['RSA PKCS#1', { kty: 'RSA' }, { type: 'pkcs1' }, 'RSA PRIVATE KEY'],
    ['EC PKCS#8', { kty: 'EC' }, { type: 'pkcs8' }, 'PRIVATE KEY'],
    ['EC SEC1', { kty: 'EC', crv: 'P-521' }, { type: 'sec1' }, 'EC PRIVATE KEY'],
  ] as const)('%s key, certificate before or after the key', async (_label, keyProps, exportOptions, label) => {
    const { key, der } = await selfSigned({ key_props: keyProps, x509_props: { subject: 'CN=pem' } });
    const keyPem = key.export({ ...exportOptions, format: 'pem' }).toString();
    expect(keyPem).toContain(`BEGIN ${label}`);
    for (const value of [keyPem + pemEncode('CERTIFICATE', der), pemEncode('CERTIFICATE', der) + keyPem]) {
      const imported = parseImportValue(value);
      expect(imported.format).toBe('application/x-pem-file');
      expect(imported.chain).toEqual([der]);
      expect(samePublicKey(imported.privateKey, key)).toBe(true);
    }
  });

  it('PEM text that arrives base64-encoded (SDK import without a PEM policy)', async () => {
    const { key, der } = await selfSigned();
    const imported = parseImportValue(Buffer.from(secretPem(key, [der])).toString('base64'));
    expect(imported.format).toBe('application/x-pem-file');
    expect(imported.chain).toEqual([der]);
  });

  it('CRLF line endings and leading whitespace', async () => {
    const { key, der } = await selfSigned();
    const value = '\r\n  ' + secretPem(key, [der]).replace(/\n/g, '\r\n');
    expect(parseImportValue(value).chain).toEqual([der]);
  });

  it('an encrypted PKCS#8 key with pwd', async () => {
    const { key, der } = await selfSigned({ key_props: { kty: 'EC' }, x509_props: { subject: 'CN=enc' } });
    const encrypted = key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
    const value = encrypted + pemEncode('CERTIFICATE', der);
    expect(parseImportValue(value, 'pw').chain).toEqual([der]);
    rejectsWith(value, PEM_UNEXPECTED);
    rejectsWith(value, PEM_UNEXPECTED, 'wrong');
  });

  it('base64 of PEM text with the key after the certificates and a pwd-encrypted key', async () => {
    const { ca, leaf } = await caSignedChain();
    const encrypted = leaf.key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
    const value = Buffer.from(chainPem([ca.der, leaf.der]) + encrypted).toString('base64');
    const imported = parseImportValue(value, 'pw');
    expect(imported.format).toBe('application/x-pem-file');
    expect(imported.chain).toEqual([leaf.der, ca.der]);
  });
});

describe('parseImportValue — bad input', () => {
  it.each([
    ['', PKCS12_UNREADABLE],
    ['!!!not base64!!!', PKCS12_UNREADABLE],
    [Buffer.from('hello world, not a pfx').toString('base64'), PKCS12_UNREADABLE],
    ['-----BEGIN NOTHING-----', PEM_UNEXPECTED],
    [Buffer.from('-----BEGIN NOTHING-----').toString('base64'), PEM_UNEXPECTED],
  ])('%j', (value, message) => {
    rejectsWith(value, message);
  });

  it('a PFX with a certificate bag that holds no certificate', async () => {
    const { key, der } = await selfSigned();
    rejectsWith(writePkcs12(key, [der, Buffer.from('not DER')]).toString('base64'), PKCS12_UNREADABLE);
  });

  it('a damaged PEM certificate', async () => {
    const { key } = await selfSigned();
    rejectsWith(secretPem(key, [Buffer.from('not DER')]), PEM_UNEXPECTED);
  });

  it('a certificate without its private key', async () => {
    const { der } = await selfSigned();
    expect(() => parseImportValue(pemEncode('CERTIFICATE', der))).toThrow(/contains no private key/);
  });

  it('a key without a certificate', async () => {
    const { key } = await selfSigned();
    expect(() => parseImportValue(key.export({ type: 'pkcs8', format: 'pem' }).toString())).toThrow(/contains no certificate/);
  });

  it('a key that does not match the certificate (PEM and PFX)', async () => {
    const a = await selfSigned();
    const b = await selfSigned();
    expect(() => parseImportValue(secretPem(a.key, [b.der]))).toThrow(/does not match/);
    expect(() => parseImportValue(writePkcs12(a.key, [b.der]).toString('base64'))).toThrow(/does not match/);
  });

  it('two private keys', async () => {
    const a = await selfSigned();
    const b = await selfSigned();
    rejectsWith(secretPem(a.key, [a.der]) + secretPem(b.key, []), PEM_UNEXPECTED);
  });

  it('a damaged PEM key', async () => {
    const { der } = await selfSigned();
    rejectsWith(pemEncode('PRIVATE KEY', Buffer.from('junk')) + pemEncode('CERTIFICATE', der), PEM_UNEXPECTED);
  });
});

describe('derivePolicy', () => {
  it('derives the policy the service reports for an imported certificate', async () => {
    const { key, der } = await selfSigned({
      x509_props: {
        subject: 'CN=imported, O=Contoso',
        sans: { dns_names: ['imported.example'], upns: ['u@contoso.com'] },
        key_usage: ['digitalSignature'],
        ekus: ['1.3.6.1.5.5.7.3.1'],
      },
    });
    const policy = derivePolicy(parseImportValue(writePkcs12(key, [der]).toString('base64')), NOW_SECONDS);
    expect(policy).toEqual({
      key_props: { exportable: true, kty: 'RSA', key_size: 2048, reuse_key: false },
      secret_props: { contentType: 'application/x-pkcs12' },
      x509_props: {
        subject: 'CN=imported, O=Contoso',
        sans: { dns_names: ['imported.example'], upns: ['u@contoso.com'] },
        ekus: ['1.3.6.1.5.5.7.3.1'],
        key_usage: ['digitalSignature'],
        validity_months: 13, // 365 days + 10 minutes, rounded up
        basic_constraints: { ca: false },
      },
      lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'EmailContacts' } }],
      issuer: { name: 'Unknown' },
      attributes: { enabled: true, created: NOW_SECONDS, updated: NOW_SECONDS },
    });
  });

  it('EC keys, PEM format, no SANs and no extensions', async () => {
    const { key, der } = await selfSigned({ key_props: { kty: 'EC', crv: 'P-384' }, x509_props: { subject: 'CN=ec', ekus: [], key_usage: [] } });
    const policy = derivePolicy(parseImportValue(secretPem(key, [der])), NOW_SECONDS);
    expect(policy.key_props).toEqual({ exportable: true, kty: 'EC', key_size: 384, reuse_key: false, crv: 'P-384' });
    expect(policy.secret_props.contentType).toBe('application/x-pem-file');
    expect(policy.x509_props.sans).toBeUndefined();
    expect(policy.x509_props.ekus).toEqual([]);
    expect(policy.x509_props.key_usage).toEqual([]);
    expect(derivePolicy(parseImportValue(secretPem(key, [der])), NOW_SECONDS, 'application/x-pkcs12').secret_props.contentType).toBe('application/x-pkcs12');
  });

  it('rounds the lifetime up to 30-day months', () => {
    const start = new Date('2026-01-01T00:00:00Z');
    const after = (days: number) => new Date(start.getTime() + days * 86400_000);
    expect([1, 30, 31, 90, 365, 366, 730].map((d) => validityMonthsOf(start, after(d)))).toEqual([1, 1, 2, 3, 13, 13, 25]);
  });

  it('reads a CA-issued leaf', async () => {
    const { ca, leaf } = await caSignedChain();
    const policy = derivePolicy(parseImportValue(secretPem(leaf.key, [leaf.der, ca.der])), NOW_SECONDS);
    expect(policy.x509_props.subject).toBe(new X509Certificate(leaf.der).subject.replace(/\n/g, ', '));
    expect(policy.x509_props.validity_months).toBe(3);
    expect(policy.x509_props.key_usage).toEqual([]);
  });
});
