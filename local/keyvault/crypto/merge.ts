// POST /certificates/{n}/pending/merge: the externally signed chain must carry the public key
// of the pending operation's private key (reference §3.3).
import type { KeyObject } from 'node:crypto';
import { certificateMatchesKey, parseCertificateDer } from './certificateInfo.js';
import { CertificateInputError } from './errors.js';

/** Decodes `x5c` (standard base64 DER) and returns the chain with the key's certificate first
 * (or as sent, with `preserveOrder`). */
export function mergeChain(x5c: unknown, privateKey: KeyObject, preserveOrder = false): Buffer[] {
  if (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((entry) => typeof entry === 'string' && entry !== '')) {
    throw new CertificateInputError('Property x5c has invalid value: expected a non-empty array of base64 DER certificates.');
  }
  const chain = x5c.map((entry: string) => {
    const der = Buffer.from(entry, 'base64');
    parseCertificateDer(der);
    return der;
  });
  const leafIndex = chain.findIndex((der) => certificateMatchesKey(der, privateKey));
  if (leafIndex < 0) {
    throw new CertificateInputError("Public key from x509 certificate and key of this instance doesn't match.");
  }
  return preserveOrder ? chain : [chain[leafIndex] as Buffer, ...chain.filter((_, i) => i !== leafIndex)];
}
