// X.509 objects the way Key Vault makes them: self-signed certificates for the
// `Self` issuer and PKCS#10 requests for pending (`Unknown` / external issuer) operations.
import { randomBytes, type KeyObject } from 'node:crypto';
import { x509SignerFor } from './keys.js';
import type { CertificatePolicy, KeyUsage, SubjectAlternativeNames } from './policyTypes.js';
import { subjectToName } from './subject.js';
import { x509 } from './x509.js';

/** The real service back-dates `nbf` by ten minutes to absorb clock skew. */
export const NOT_BEFORE_SKEW_MS = 10 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Days a validity of `months` lasts. The service issues 365 days for 12 months, so a month is
 * 365/12 days, rounded to whole days (1 → 30, 6 → 183, 24 → 730).
 */
export function validityDays(months: number): number {
  return Math.round((months * 365) / 12);
}

export function validityWindow(months: number, now: Date): { notBefore: Date; notAfter: Date } {
  return {
    notBefore: new Date(now.getTime() - NOT_BEFORE_SKEW_MS),
    notAfter: new Date(now.getTime() + validityDays(months) * DAY_MS),
  };
}

const KEY_USAGE_FLAGS: Record<KeyUsage, x509.KeyUsageFlags> = {
  digitalSignature: x509.KeyUsageFlags.digitalSignature,
  nonRepudiation: x509.KeyUsageFlags.nonRepudiation,
  keyEncipherment: x509.KeyUsageFlags.keyEncipherment,
  dataEncipherment: x509.KeyUsageFlags.dataEncipherment,
  keyAgreement: x509.KeyUsageFlags.keyAgreement,
  keyCertSign: x509.KeyUsageFlags.keyCertSign,
  cRLSign: x509.KeyUsageFlags.cRLSign,
  encipherOnly: x509.KeyUsageFlags.encipherOnly,
  decipherOnly: x509.KeyUsageFlags.decipherOnly,
};

export function keyUsageFlags(usages: readonly KeyUsage[]): number {
  return usages.reduce((flags, usage) => flags | KEY_USAGE_FLAGS[usage], 0);
}

export function generalNames(sans: SubjectAlternativeNames | undefined): x509.JsonGeneralName[] {
  return [
    ...(sans?.dns_names ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(sans?.emails ?? []).map((value) => ({ type: 'email' as const, value })),
    ...(sans?.upns ?? []).map((value) => ({ type: 'upn' as const, value })),
    ...(sans?.uris ?? []).map((value) => ({ type: 'url' as const, value })),
    ...(sans?.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
}

/** 16 random bytes, top bit cleared so the DER INTEGER stays 16 bytes and positive. */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex');
}

/** Extensions requested by the policy (shared by certificates and CSRs). */
function policyExtensions(policy: CertificatePolicy): x509.Extension[] {
  const props = policy.x509_props;
  const extensions: x509.Extension[] = [];
  if (props.key_usage.length > 0) extensions.push(new x509.KeyUsagesExtension(keyUsageFlags(props.key_usage), true));
  if (props.ekus.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension(props.ekus, false));
  const names = generalNames(props.sans);
  // RFC 5280: with an empty subject the SAN extension must be critical.
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, !props.subject));
  extensions.push(new x509.BasicConstraintsExtension(props.basic_constraints.ca, undefined, props.basic_constraints.ca));
  return extensions;
}

/** A self-signed certificate (DER) for `policy` and `privateKey`, valid from `now`. */
export async function issueSelfSigned(policy: CertificatePolicy, privateKey: KeyObject, now: Date): Promise<Buffer> {
  const signer = await x509SignerFor(privateKey);
  const { notBefore, notAfter } = validityWindow(policy.x509_props.validity_months, now);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerialNumber(),
      name: subjectToName(policy.x509_props.subject),
      notBefore,
      notAfter,
      keys: signer.keys,
      signingAlgorithm: signer.signingAlgorithm,
      extensions: [...policyExtensions(policy), await x509.SubjectKeyIdentifierExtension.create(signer.spki), await x509.AuthorityKeyIdentifierExtension.create(signer.spki)],
    },
    signer.crypto,
  );
  return Buffer.from(cert.rawData);
}

/** A PKCS#10 request (DER) carrying the policy's subject and extensions, for external issuers. */
export async function createCsr(policy: CertificatePolicy, privateKey: KeyObject): Promise<Buffer> {
  const signer = await x509SignerFor(privateKey);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      name: subjectToName(policy.x509_props.subject),
      keys: signer.keys,
      signingAlgorithm: signer.signingAlgorithm,
      extensions: policyExtensions(policy),
    },
    signer.crypto,
  );
  return Buffer.from(csr.rawData);
}
