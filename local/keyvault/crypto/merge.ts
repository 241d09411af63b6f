// POST /certificates/{n}/pending/merge: the externally signed chain must carry the public key
// of the pending operation's private key.
//
// Each `x5c` entry may be base64 DER (the normal form, e.g. the .NET SDK's recording
// https://github.com/Azure/azure-sdk-assets/blob/11a73707a25d2832582c61fb956881b0954a0ca2/net/sdk/keyvault/Azure.Security.KeyVault.Certificates/tests/SessionRecords/CertificateClientLiveTests/ValidateMergeCertificate.json),
// PEM text, or base64 of PEM text — whole, or only the body with or without its BEGIN/END lines.
// The JS SDK's own merge test sends base64 of `<body>-----END CERTIFICATE-----` and the service
// answers 201 (https://github.com/Azure/azure-sdk-assets/blob/364ad076be80ac88a71322b6a4ee677f4ed843e1/js/sdk/keyvault/keyvault-certificates/recordings/node/certificates_client__merge_and_import_certificates/recording_can_merge_a_self_signed_certificate.json).
// PKCS#7 is not accepted.
import type { KeyObject } from 'node:crypto';
import { certificateMatchesKey, isCertificateDer } from './certificateInfo.js';
import { CertificateInputError } from './errors.js';
import { pemBlocks } from './pem.js';

// Service texts: https://github.com/MicrosoftDocs/azure-docs/issues/100959 (empty x5c) and
// https://github.com/Azure/azure-powershell/issues/24323 (unparseable entry); the key mismatch
// text is quoted without a final period by azure-cli's tests.
export const X5C_EMPTY_MESSAGE = 'Property x5c has invalid value X5C must has at least one valid item';
export const X5C_UNPARSEABLE_MESSAGE = 'Unable to parse X5c certificate chain and locate leaf certificate';
export const KEY_MISMATCH_MESSAGE = "Public key from x509 certificate and key of this instance doesn't match";

const CERTIFICATE_MARKER = /-----(BEGIN|END) CERTIFICATE-----/g;
const BASE64_TEXT = /^[A-Za-z0-9+/]+={0,2}$/;

function fromBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\s/g, '');
  return BASE64_TEXT.test(compact) ? Buffer.from(compact, 'base64') : undefined;
}

/** Certificates in PEM text, or in a PEM body with or without its BEGIN/END lines. */
function fromPemText(text: string): Buffer[] {
  const blocks = pemBlocks(text).filter((block) => block.label === 'CERTIFICATE');
  if (blocks.length > 0) return blocks.map((block) => block.der);
  const body = fromBase64(text.replace(CERTIFICATE_MARKER, ''));
  return body ? [body] : [];
}

function entryCertificates(entry: unknown): Buffer[] {
  if (typeof entry !== 'string') return [];
  if (entry.includes('-----')) return fromPemText(entry);
  const bytes = fromBase64(entry);
  if (!bytes) return [];
  return isCertificateDer(bytes) ? [bytes] : fromPemText(bytes.toString('latin1'));
}

/** Decodes `x5c` and returns the chain (DER) with the key's certificate first (or as sent, with `preserveOrder`). */
export function mergeChain(x5c: unknown, privateKey: KeyObject, preserveOrder = false): Buffer[] {
  if (!Array.isArray(x5c) || x5c.length === 0) throw new CertificateInputError(X5C_EMPTY_MESSAGE);
  const chain = x5c.flatMap((entry) => {
    const certificates = entryCertificates(entry);
    if (certificates.length === 0 || !certificates.every(isCertificateDer)) throw new CertificateInputError(X5C_UNPARSEABLE_MESSAGE);
    return certificates;
  });
  const leafIndex = chain.findIndex((der) => certificateMatchesKey(der, privateKey));
  if (leafIndex < 0) throw new CertificateInputError(KEY_MISMATCH_MESSAGE);
  return preserveOrder ? chain : [chain[leafIndex] as Buffer, ...chain.filter((_, i) => i !== leafIndex)];
}
