// What the service reports about a certificate it holds: thumbprint, base64 DER, validity, and
// the X.509 properties an imported certificate's derived policy is built from.
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { CertificateInputError } from './errors.js';
import { KEY_USAGES, type KeyUsage, type SubjectAlternativeNames } from './policyTypes.js';
import { x509 } from './x509.js';

/** `x5t`: base64url SHA-1 of the DER. */
export function thumbprint(der: Buffer): string {
  return createHash('sha1').update(der).digest('base64url');
}

/** `cer`: standard base64 of the DER. */
export function cerOf(der: Buffer): string {
  return der.toString('base64');
}

export function parseCertificateDer(der: Buffer): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch {
    throw new CertificateInputError('The certificate is not a valid DER-encoded X.509 certificate.');
  }
}

/** Whether `der` is exactly one DER certificate (node:crypto would also take PEM text here). */
export function isCertificateDer(der: Buffer): boolean {
  try {
    return new X509Certificate(der).raw.equals(der);
  } catch {
    return false;
  }
}

/** Validity as Unix seconds, the unit of `attributes.nbf/exp`. */
export function validityOf(der: Buffer): { nbf: number; exp: number } {
  const cert = parseCertificateDer(der);
  return {
    nbf: Math.floor(new Date(cert.validFrom).getTime() / 1000),
    exp: Math.floor(new Date(cert.validTo).getTime() / 1000),
  };
}

/** Whether `der`'s public key is the public half of `key` (private or public KeyObject). */
export function certificateMatchesKey(der: Buffer, key: KeyObject): boolean {
  const cert = parseCertificateDer(der);
  if (key.type === 'private') return cert.checkPrivateKey(key);
  return cert.publicKey.equals(key);
}

export interface CertificateProperties {
  subject: string;
  sans: SubjectAlternativeNames;
  ekus: string[] | undefined;
  keyUsage: KeyUsage[] | undefined;
  ca: boolean | undefined;
  notBefore: Date;
  notAfter: Date;
}

const KEY_USAGE_BITS: ReadonlyArray<[KeyUsage, number]> = KEY_USAGES.map((usage) => [usage, x509.KeyUsageFlags[usage]]);

/** Reads subject, SANs, EKUs, key usage and basic constraints (undefined when the extension is absent). */
export function certificateProperties(der: Buffer): CertificateProperties {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(der);
  } catch {
    throw new CertificateInputError('The certificate is not a valid DER-encoded X.509 certificate.');
  }
  const sans: SubjectAlternativeNames = {};
  try {
    const sanExtension = cert.getExtension(x509.SubjectAlternativeNameExtension);
    for (const name of sanExtension?.names.items ?? []) {
      const kind = { dns: 'dns_names', email: 'emails', upn: 'upns', url: 'uris', ip: 'ipAddresses' }[name.type as string] as keyof SubjectAlternativeNames | undefined;
      if (kind) (sans[kind] ??= []).push(name.value);
    }
  } catch {
    // SAN kinds @peculiar/x509 cannot read (other otherNames, X.400…) have no policy equivalent.
  }
  const ekuExtension = cert.getExtension(x509.ExtendedKeyUsageExtension);
  const keyUsageExtension = cert.getExtension(x509.KeyUsagesExtension);
  const basicConstraints = cert.getExtension(x509.BasicConstraintsExtension);
  return {
    subject: cert.subject,
    sans,
    ekus: ekuExtension ? ekuExtension.usages.map(String) : undefined,
    keyUsage: keyUsageExtension ? KEY_USAGE_BITS.filter(([, bit]) => (keyUsageExtension.usages & bit) !== 0).map(([usage]) => usage) : undefined,
    ca: basicConstraints ? basicConstraints.ca : undefined,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}
