// POST /certificates/{n}/import: the value is sniffed — PEM text (key and certificates in any
// order), base64 of PEM text, or base64 PKCS#12 tried with `pwd`, then "", then no password —
// and, without a client policy, a policy is derived from the certificate like the service does.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { certificateMatchesKey, certificateProperties, isCertificateDer } from './certificateInfo.js';
import { CertificateInputError } from './errors.js';
import { describeKey } from './keys.js';
import { isPemText, pemBlocks } from './pem.js';
import { PKCS12_UNREADABLE_MESSAGE, readPkcs12 } from './pkcs12.js';
import { DEFAULT_LIFETIME_PERCENTAGE } from './policy.js';
import { PEM_CONTENT_TYPE, PKCS12_CONTENT_TYPE, UNKNOWN_ISSUER, type CertificatePolicy, type SecretContentType } from './policyTypes.js';

export interface ImportedCertificate {
  privateKey: KeyObject;
  /** DER certificates, leaf (the one matching the key) first. */
  chain: Buffer[];
  /** The format the value arrived in. */
  format: SecretContentType;
}

const PRIVATE_KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);
const BASE64 = /^[A-Za-z0-9+/\-_\s]+={0,2}\s*$/;
const MONTH_SECONDS = 30 * 24 * 60 * 60;

// The service's one answer for PEM it cannot read (no blocks, a key it cannot read or decrypt,
// several keys), quoted in the Key Vault certificate FAQ:
// https://github.com/MicrosoftDocs/azure-docs/blob/a658cf4c20d975b68298625c7c585000516fa619/articles/key-vault/certificates/faq.yml
export const PEM_UNEXPECTED_MESSAGE = 'The specified PEM X.509 certificate content is in an unexpected format. Please check if certificate is in valid PEM format.';

const unreadable = (format: SecretContentType): CertificateInputError =>
  new CertificateInputError(format === PEM_CONTENT_TYPE ? PEM_UNEXPECTED_MESSAGE : PKCS12_UNREADABLE_MESSAGE);

function parsePem(value: string, password: string | undefined): { privateKey: KeyObject | undefined; certificates: Buffer[] } {
  const blocks = pemBlocks(value);
  const keyBlocks = blocks.filter((block) => PRIVATE_KEY_LABELS.has(block.label));
  if (blocks.length === 0 || keyBlocks.length > 1) throw unreadable(PEM_CONTENT_TYPE);
  let privateKey: KeyObject | undefined;
  const keyBlock = keyBlocks[0];
  if (keyBlock) {
    try {
      privateKey = createPrivateKey({ key: keyBlock.text, format: 'pem', passphrase: password ?? '' });
    } catch {
      throw unreadable(PEM_CONTENT_TYPE); // damaged, or encrypted without the right pwd
    }
  }
  return { privateKey, certificates: blocks.filter((block) => block.label === 'CERTIFICATE').map((block) => block.der) };
}

function parsePfx(value: string, password: string | undefined): { privateKey: KeyObject | undefined; certificates: Buffer[] } {
  // The service reads every value that is not PEM as PKCS#12.
  if (!BASE64.test(value)) throw unreadable(PKCS12_CONTENT_TYPE);
  const der = Buffer.from(value.replace(/\s/g, ''), value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
  const passwords = [...new Set<string | null>([...(password ? [password] : []), '', null])];
  return readPkcs12(der, passwords);
}

/** PEM text sent base64-encoded (what the SDK does with PEM bytes when no policy says PEM). */
function base64EncodedPem(value: string): string | undefined {
  if (!BASE64.test(value)) return undefined;
  const decoded = Buffer.from(value.replace(/\s/g, ''), 'base64').toString('utf8');
  return isPemText(decoded) ? decoded : undefined;
}

/**
 * Parses an import value. `preserveOrder` keeps the chain as supplied (the service's
 * `preserveCertOrder`); otherwise the leaf is moved to the front.
 */
export function parseImportValue(value: string, password?: string, preserveOrder = false): ImportedCertificate {
  const pemText = isPemText(value) ? value : base64EncodedPem(value);
  const format = pemText !== undefined ? PEM_CONTENT_TYPE : PKCS12_CONTENT_TYPE;
  const { privateKey, certificates } = pemText !== undefined ? parsePem(pemText, password) : parsePfx(value, password);
  if (!certificates.every(isCertificateDer)) throw unreadable(format);
  if (!privateKey) throw new CertificateInputError('The certificate value contains no private key; Key Vault imports need the private key.');
  if (certificates.length === 0) throw new CertificateInputError('The certificate value contains no certificate.');
  describeKey(privateKey); // refuses key types Key Vault does not hold
  const leafIndex = certificates.findIndex((der) => certificateMatchesKey(der, privateKey));
  if (leafIndex < 0) throw new CertificateInputError('The private key does not match the public key of any certificate in the value.');
  const chain = preserveOrder ? certificates : [certificates[leafIndex] as Buffer, ...certificates.filter((_, i) => i !== leafIndex)];
  return { privateKey, chain, format };
}

/** Months the service reports for an imported certificate: its lifetime in 30-day months, rounded up. */
export function validityMonthsOf(notBefore: Date, notAfter: Date): number {
  const seconds = Math.max(0, (notAfter.getTime() - notBefore.getTime()) / 1000);
  return Math.max(1, Math.ceil(seconds / MONTH_SECONDS));
}

/** The policy the service derives from an imported certificate when the client sends none. */
export function derivePolicy(imported: ImportedCertificate, now: number, contentType?: SecretContentType): CertificatePolicy {
  const leaf = imported.chain[0] as Buffer;
  const props = certificateProperties(leaf);
  const key = describeKey(imported.privateKey);
  const hasSans = Object.keys(props.sans).length > 0;
  return {
    key_props: {
      exportable: true,
      kty: key.kty,
      key_size: key.keySize,
      reuse_key: false,
      ...(key.kty === 'EC' ? { crv: key.crv } : {}),
    },
    secret_props: { contentType: contentType ?? imported.format },
    x509_props: {
      ...(props.subject ? { subject: props.subject } : {}),
      ...(hasSans ? { sans: props.sans } : {}),
      ekus: props.ekus ?? [],
      key_usage: props.keyUsage ?? [],
      validity_months: validityMonthsOf(props.notBefore, props.notAfter),
      basic_constraints: { ca: props.ca ?? false },
    },
    lifetime_actions: [{ trigger: { lifetime_percentage: DEFAULT_LIFETIME_PERCENTAGE }, action: { action_type: 'EmailContacts' } }],
    issuer: { name: UNKNOWN_ISSUER },
    attributes: { enabled: true, created: now, updated: now },
  };
}
