// Certificates and keys for the certificate crypto tests, made with the code under test plus a
// tiny test CA that signs leaf certificates the way an external issuer would.
import type { KeyObject } from 'node:crypto';
import { issueSelfSigned } from '../../../../../local/keyvault/crypto/issue.js';
import { generateCertificateKey, signingAlgorithmFor, toCryptoKeyPair } from '../../../../../local/keyvault/crypto/keys.js';
import { normalizePolicy, type WireCertificatePolicy } from '../../../../../local/keyvault/crypto/policy.js';
import { x509 } from '../../../../../local/keyvault/crypto/x509.js';

export const NOW = new Date('2026-01-15T12:00:00Z');
export const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);

export interface KeyAndCert {
  key: KeyObject;
  der: Buffer;
}

export async function selfSigned(wire: WireCertificatePolicy = { x509_props: { subject: 'CN=fixture' } }): Promise<KeyAndCert> {
  const policy = normalizePolicy(wire, NOW_SECONDS);
  const key = await generateCertificateKey(policy.key_props);
  return { key, der: await issueSelfSigned(policy, key, NOW) };
}

/** A CA and a leaf it signed for `leafKey` (a fresh RSA key when omitted). */
export async function caSignedChain(leafKey?: KeyObject, leafSubject = 'CN=leaf.example'): Promise<{ ca: KeyAndCert; leaf: KeyAndCert }> {
  const ca = await selfSigned({
    key_props: { kty: 'EC', crv: 'P-384' },
    x509_props: { subject: 'CN=Test Root CA, O=Tests', key_usage: ['keyCertSign', 'cRLSign'], ekus: [], basic_constraints: { ca: true } },
  });
  const key = leafKey ?? (await generateCertificateKey(normalizePolicy({ x509_props: { subject: 'CN=x' } }, NOW_SECONDS).key_props));
  const caKeys = await toCryptoKeyPair(ca.key);
  const leafKeys = await toCryptoKeyPair(key);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '0a0b0c',
    subject: leafSubject,
    issuer: new x509.X509Certificate(ca.der).subject,
    notBefore: NOW,
    notAfter: new Date(NOW.getTime() + 90 * 86400_000),
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: signingAlgorithmFor(ca.key),
    extensions: [new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1'])],
  });
  return { ca, leaf: { key, der: Buffer.from(leaf.rawData) } };
}
