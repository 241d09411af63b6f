// The backing key's public JWK: public members only, base64url numbers,
// key_ops derived from the certificate's key usage.
import type { KeyObject } from 'node:crypto';
import { describeKey } from './keys.js';
import type { KeyUsage } from './policyTypes.js';

export interface PublicJwk {
  kty: 'RSA' | 'EC';
  key_ops: string[];
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
}

const SIGNING_USAGES: ReadonlySet<KeyUsage> = new Set(['digitalSignature', 'nonRepudiation', 'keyCertSign', 'cRLSign', 'keyAgreement']);
const ENCIPHERING_USAGES: ReadonlySet<KeyUsage> = new Set(['keyEncipherment', 'dataEncipherment']);

/** key_ops in the order the service lists them; EC keys can only sign. */
export function keyOpsFor(kty: 'RSA' | 'EC', keyUsage: readonly KeyUsage[]): string[] {
  const ops: string[] = [];
  if (keyUsage.some((u) => SIGNING_USAGES.has(u))) ops.push('sign', 'verify');
  if (kty === 'RSA' && keyUsage.some((u) => ENCIPHERING_USAGES.has(u))) ops.push('wrapKey', 'unwrapKey', 'encrypt', 'decrypt');
  return ops;
}

export function publicJwk(key: KeyObject, keyUsage: readonly KeyUsage[]): PublicJwk {
  const described = describeKey(key);
  const exported = key.export({ format: 'jwk' });
  if (described.kty === 'RSA') {
    return { kty: 'RSA', key_ops: keyOpsFor('RSA', keyUsage), n: exported.n, e: exported.e };
  }
  return { kty: 'EC', key_ops: keyOpsFor('EC', keyUsage), crv: described.crv, x: exported.x, y: exported.y };
}
