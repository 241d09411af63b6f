// POST /certificates/{n}/import (reference §3.6): the value is sniffed — PEM text (key and
// certificates in any order) or base64 PKCS#12 tried with `pwd`, then "", then no password —
// and, without a client policy, a policy is derived from the certificate like the service does.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { certificateMatchesKey, certificateProperties } from './certificateInfo.js';
import { CertificateInputError } from './errors.js';
import { describeKey } from './keys.js';
import { isPemText, pemBlocks } from './pem.js';
import { readPkcs12 } from './pkcs12.js';
import { DEFAULT_LIFETIME_PERCENTAGE } from './policy.js';
import {
  PEM_CONTENT_TYPE,
  PKCS12_CONTENT_TYPE,
  UNKNOWN_ISSUER,
  type CertificatePolicy,
  type SecretContentType,
} from './policyTypes.js';

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

function parsePem(value: string, password: string | undefined): { privateKey: KeyObject | undefined; certificates: Buffer[] } {
  const blocks = pemBlocks(value);
  if (blocks.length === 0) throw new CertificateInputError('The PEM certificate value contains no PEM blocks.');
  const keyBlocks = blocks.filter((block) => PRIVATE_KEY_LABELS.has(block.label));
  if (keyBlocks.length > 1) throw new CertificateInputError('The PEM certificate value contains more than one private key.');
  let privateKey: KeyObject | undefined;
  const keyBlock = keyBlocks[0];
  if (keyBlock) {
    try {
      privateKey = createPrivateKey({ key: keyBlock.text, format: 'pem', passphrase: password ?? '' });
    } catch {
      throw new CertificateInputError(
        keyBlock.label === 'ENCRYPTED PRIVATE KEY' || keyBlock.text.includes('ENCRYPTED')
          ? 'Unable to decrypt the PEM private key: the password is missing or incorrect.'
          : 'The PEM private key could not be read.',
      );
    }
  }
  return { privateKey, certificates: blocks.filter((block) => block.label === 'CERTIFICATE').map((block) => block.der) };
}

function parsePfx(value: string, password: string | undefined): { privateKey: KeyObject | undefined; certificates: Buffer[] } {
  if (!BASE64.test(value)) {
    throw new CertificateInputError('The certificate value is neither PEM text nor a base64-encoded PKCS#12 (PFX) file.');
  }
  const der = Buffer.from(value.replace(/\s/g, ''), value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
  const passwords = [...new Set<string | null>([...(password ? [password] : []), '', null])];
  return readPkcs12(der, passwords);
}

/** PEM text sent base64-encoded (what the SDK does with PEM bytes when no policy says PEM). */
function base64EncodedPem(value: string): string | undefined {
  if (!BASE64.test(value)) return undefined;
  const decoded = Buffer.from(value.replace(/\s/g, ''), 'base64').toString('latin1');
  return isPemText(decoded) ? decoded : undefined;
}

/**
 * Parses an import value. `preserveOrder` keeps the chain as supplied (the service's
 * `preserveCertOrder`); otherwise the leaf is moved to the front.
 */
export function parseImportValue(value: string, password?: string, preserveOrder = false): ImportedCertificate {
  if (typeof value !== 'string' || value.trim() === '') throw new CertificateInputError('The certificate value is empty.');
  const pemText = isPemText(value) ? value : base64EncodedPem(value);
  const format = pemText !== undefined ? PEM_CONTENT_TYPE : PKCS12_CONTENT_TYPE;
  const { privateKey, certificates } = pemText !== undefined ? parsePem(pemText, password) : parsePfx(value, password);
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
