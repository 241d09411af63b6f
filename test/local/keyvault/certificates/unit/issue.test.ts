import { X509Certificate, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certificateMatchesKey, certificateProperties, cerOf, thumbprint, validityOf } from '../../../../../local/keyvault/crypto/certificateInfo.js';
import { createCsr, issueSelfSigned, validityDays } from '../../../../../local/keyvault/crypto/issue.js';
import { describeKey, exportPrivateKeyDer, generateCertificateKey, importPrivateKeyDer, keyMatchesProps } from '../../../../../local/keyvault/crypto/keys.js';
import { normalizePolicy, type WireCertificatePolicy } from '../../../../../local/keyvault/crypto/policy.js';
import { x509 } from '../../../../../local/keyvault/crypto/x509.js';
import { hasOpenssl, openssl } from './openssl.js';

const NOW = new Date('2026-01-15T12:00:00Z');
const policyOf = (wire: WireCertificatePolicy) => normalizePolicy(wire, Math.floor(NOW.getTime() / 1000));

describe('key generation', () => {
  it.each([2048, 3072, 4096])('RSA %i', async (size) => {
    const props = policyOf({ key_props: { kty: 'RSA', key_size: size }, x509_props: { subject: 'CN=k' } }).key_props;
    const key = await generateCertificateKey(props);
    expect(describeKey(key)).toEqual({ kty: 'RSA', keySize: size });
    expect(keyMatchesProps(key, props)).toBe(true);
  });

  it.each(['P-256', 'P-384', 'P-521', 'P-256K'] as const)('EC %s', async (crv) => {
    const props = policyOf({ key_props: { kty: 'EC', crv }, x509_props: { subject: 'CN=k' } }).key_props;
    const key = await generateCertificateKey(props);
    expect(describeKey(key)).toMatchObject({ kty: 'EC', crv });
    expect(keyMatchesProps(key, props)).toBe(true);
    expect(keyMatchesProps(key, { ...props, crv: crv === 'P-384' ? 'P-256' : 'P-384' })).toBe(false);
  });

  it('round-trips through PKCS#8 DER for key reuse', async () => {
    const key = await generateCertificateKey(policyOf({ key_props: { kty: 'EC' }, x509_props: { subject: 'CN=k' } }).key_props);
    const again = importPrivateKeyDer(exportPrivateKeyDer(key));
    expect(createPublicKey(again).equals(createPublicKey(key))).toBe(true);
  });
});

describe('self-signed issuance', () => {
  it('issues the default policy like Key Vault', async () => {
    const policy = policyOf({ x509_props: { subject: 'cn=MyCert', sans: {} }, issuer: { name: 'Self' } });
    const key = await generateCertificateKey(policy.key_props);
    const der = await issueSelfSigned(policy, key, NOW);
    const cert = new X509Certificate(der);
    expect(cert.subject).toBe('CN=MyCert');
    expect(cert.issuer).toBe('CN=MyCert');
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']); // node names EKUs keyUsage
    expect(cert.ca).toBe(false);
    expect(cert.serialNumber).toMatch(/^[0-9A-F]{32}$/);
    expect(new Date(cert.validFrom).getTime()).toBe(NOW.getTime() - 10 * 60 * 1000);
    expect(new Date(cert.validTo).getTime()).toBe(NOW.getTime() + 365 * 86400 * 1000);

    const parsed = new x509.X509Certificate(der);
    expect(parsed.signatureAlgorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-256' } });
    const keyUsage = parsed.getExtension(x509.KeyUsagesExtension);
    expect(keyUsage?.critical).toBe(true);
    expect(keyUsage?.usages).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
    const ski = parsed.getExtension(x509.SubjectKeyIdentifierExtension);
    const aki = parsed.getExtension(x509.AuthorityKeyIdentifierExtension);
    expect(ski?.keyId).toBeTruthy();
    expect(aki?.keyId).toBe(ski?.keyId);
    expect(parsed.getExtension(x509.SubjectAlternativeNameExtension)).toBeNull();

    expect(validityOf(der)).toEqual({ nbf: NOW.getTime() / 1000 - 600, exp: NOW.getTime() / 1000 + 365 * 86400 });
    expect(cerOf(der)).toBe(der.toString('base64'));
    expect(thumbprint(der)).toBe(Buffer.from(cert.fingerprint.replace(/:/g, ''), 'hex').toString('base64url'));
  });

  it.each([
    ['P-256', 'SHA-256'],
    ['P-384', 'SHA-384'],
    ['P-521', 'SHA-512'],
  ] as const)('EC %s certificates are signed with %s', async (crv, hash) => {
    const policy = policyOf({ key_props: { kty: 'EC', crv }, x509_props: { subject: 'CN=ec' } });
    const key = await generateCertificateKey(policy.key_props);
    const der = await issueSelfSigned(policy, key, NOW);
    const parsed = new x509.X509Certificate(der);
    expect(parsed.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: hash } });
    expect(await parsed.verify({ signatureOnly: true })).toBe(true);
    expect(certificateMatchesKey(der, key)).toBe(true);
  });

  it('P-256K (secp256k1) certificates and CSRs are signed through node:crypto', async () => {
    const policy = policyOf({ key_props: { kty: 'EC', crv: 'P-256K' }, x509_props: { subject: 'CN=k1', sans: { dns_names: ['k1.example'] } } });
    const key = await generateCertificateKey(policy.key_props);
    const der = await issueSelfSigned(policy, key, NOW);
    const cert = new X509Certificate(der);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('secp256k1');
    const parsed = new x509.X509Certificate(der);
    expect(parsed.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toBe(parsed.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId);
    const csr = new x509.Pkcs10CertificateRequest(await createCsr(policy, key));
    expect(csr.subject).toBe('CN=k1');
    const spki = Buffer.from(csr.publicKey.rawData);
    expect(createPublicKey({ key: spki, format: 'der', type: 'spki' }).equals(createPublicKey(key))).toBe(true);
  });

  it.skipIf(!hasOpenssl)('openssl verifies a P-256K self-signed certificate and CSR', async () => {
    const policy = policyOf({ key_props: { kty: 'EC', crv: 'P-256K' }, x509_props: { subject: 'CN=k1' } });
    const key = await generateCertificateKey(policy.key_props);
    const der = await issueSelfSigned(policy, key, NOW);
    const { stdout } = openssl(['verify', '-no_check_time', '-CAfile', 'c.pem', 'c.pem'], { 'c.pem': new X509Certificate(der).toString() });
    expect(stdout).toContain('c.pem: OK');
    const req = openssl(['req', '-inform', 'DER', '-in', 'r.der', '-noout', '-verify'], { 'r.der': await createCsr(policy, key) });
    expect(req.stdout + req.stderr).toMatch(/verify OK|Certificate request self-signature verify OK/);
  });

  it.each([3072, 4096])('RSA %i certificates verify', async (size) => {
    const policy = policyOf({ key_props: { kty: 'RSA', key_size: size }, x509_props: { subject: 'CN=rsa' } });
    const key = await generateCertificateKey(policy.key_props);
    const cert = new X509Certificate(await issueSelfSigned(policy, key, NOW));
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(size);
    expect(cert.verify(cert.publicKey)).toBe(true);
  });

  it('writes every SAN kind, custom EKUs, key usages and CA constraints', async () => {
    const policy = policyOf({
      x509_props: {
        subject: 'CN=multi, O=Contoso Ltd, OU=IT, L=Redmond, ST=WA, C=US',
        sans: {
          dns_names: ['a.example.com', '*.b.example.com'],
          emails: ['admin@example.com'],
          upns: ['user@contoso.com'],
          uris: ['https://example.com/id'],
          ipAddresses: ['10.1.2.3', '2001:db8::1'],
        },
        ekus: ['1.3.6.1.5.5.7.3.3', '1.3.6.1.5.5.7.3.8'],
        key_usage: ['digitalSignature', 'nonRepudiation', 'keyCertSign', 'cRLSign'],
        basic_constraints: { ca: true },
        validity_months: 6,
      },
    });
    const key = await generateCertificateKey(policy.key_props);
    const der = await issueSelfSigned(policy, key, NOW);
    const props = certificateProperties(der);
    expect(props.subject).toBe('CN=multi, O=Contoso Ltd, OU=IT, L=Redmond, ST=WA, C=US');
    expect(props.sans).toEqual({
      dns_names: ['a.example.com', '*.b.example.com'],
      emails: ['admin@example.com'],
      upns: ['user@contoso.com'],
      uris: ['https://example.com/id'],
      ipAddresses: ['10.1.2.3', '2001:db8::1'],
    });
    expect(props.ekus).toEqual(['1.3.6.1.5.5.7.3.3', '1.3.6.1.5.5.7.3.8']);
    expect(props.keyUsage).toEqual(['digitalSignature', 'nonRepudiation', 'keyCertSign', 'cRLSign']);
    expect(props.ca).toBe(true);
    expect(props.notAfter.getTime() - NOW.getTime()).toBe(validityDays(6) * 86400 * 1000);
    const upn = new X509Certificate(der).subjectAltName ?? '';
    expect(upn).toContain('DNS:a.example.com');
  });

  it('issues SAN-only certificates with an empty subject and a critical SAN', async () => {
    const policy = policyOf({ x509_props: { sans: { dns_names: ['only.example'] } } });
    const der = await issueSelfSigned(policy, await generateCertificateKey(policy.key_props), NOW);
    const parsed = new x509.X509Certificate(der);
    expect(parsed.subject).toBe('');
    expect(parsed.getExtension(x509.SubjectAlternativeNameExtension)?.critical).toBe(true);
  });

  it('omits key usage and EKU extensions when the policy lists none', async () => {
    const policy = policyOf({ x509_props: { subject: 'CN=bare', ekus: [], key_usage: [] } });
    const der = await issueSelfSigned(policy, await generateCertificateKey(policy.key_props), NOW);
    const props = certificateProperties(der);
    expect(props.ekus).toBeUndefined();
    expect(props.keyUsage).toBeUndefined();
  });

  it('derives validity days from months (12 → 365)', () => {
    expect([1, 3, 6, 12, 13, 24, 36].map(validityDays)).toEqual([30, 91, 183, 365, 395, 730, 1095]);
  });

  it('uses a fresh 16-byte serial for each certificate', async () => {
    const policy = policyOf({ key_props: { kty: 'EC' }, x509_props: { subject: 'CN=s' } });
    const key = await generateCertificateKey(policy.key_props);
    const serials = new Set<string>();
    for (let i = 0; i < 5; i++) serials.add(new X509Certificate(await issueSelfSigned(policy, key, NOW)).serialNumber);
    expect(serials.size).toBe(5);
  });

  it.skipIf(!hasOpenssl)('openssl reads the extensions (UPN otherName included)', async () => {
    const policy = policyOf({ x509_props: { subject: 'CN=ossl', sans: { upns: ['user@contoso.com'], dns_names: ['x.example'] } } });
    const der = await issueSelfSigned(policy, await generateCertificateKey(policy.key_props), NOW);
    const text = openssl(['x509', '-inform', 'DER', '-in', 'c.der', '-noout', '-text'], { 'c.der': der }).stdout;
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Server Authentication, TLS Web Client Authentication/);
    expect(text).toMatch(/X509v3 Basic Constraints:\s+CA:FALSE/);
    expect(text).toMatch(/DNS:x\.example, othername: UPN::user@contoso\.com/);
    expect(text).toContain('sha256WithRSAEncryption');
  });
});

describe('CSR', () => {
  it.each([
    ['RSA', { kty: 'RSA' }],
    ['EC', { kty: 'EC', crv: 'P-384' }],
  ])('%s CSR carries subject, key and requested extensions', async (_label, keyProps) => {
    const policy = policyOf({ key_props: keyProps, x509_props: { subject: 'CN=pending, O=Org', sans: { dns_names: ['p.example'] } }, issuer: { name: 'Unknown' } });
    const key = await generateCertificateKey(policy.key_props);
    const csr = new x509.Pkcs10CertificateRequest(await createCsr(policy, key));
    expect(csr.subject).toBe('CN=pending, O=Org');
    expect(await csr.verify()).toBe(true);
    const spki = Buffer.from(csr.publicKey.rawData);
    expect(createPublicKey({ key: spki, format: 'der', type: 'spki' }).equals(createPublicKey(key))).toBe(true);
    const sanRaw = csr.extensions.find((ext) => ext.type === '2.5.29.17')?.rawData;
    expect(sanRaw).toBeDefined();
    expect(new x509.SubjectAlternativeNameExtension(sanRaw as ArrayBuffer).names.toJSON()).toEqual([{ type: 'dns', value: 'p.example' }]);
    expect(csr.extensions.some((ext) => ext.type === '2.5.29.15' && ext.critical)).toBe(true);
  });

  it.skipIf(!hasOpenssl)('openssl verifies the CSR', async () => {
    const policy = policyOf({ key_props: { kty: 'EC' }, x509_props: { subject: 'CN=req' } });
    const der = await createCsr(policy, await generateCertificateKey(policy.key_props));
    const { stdout } = openssl(['req', '-inform', 'DER', '-in', 'r.der', '-noout', '-verify', '-subject'], { 'r.der': der });
    expect(stdout).toContain('CN = req');
  });
});
