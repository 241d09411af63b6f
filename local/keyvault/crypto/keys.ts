// Certificate key pairs: generated with node:crypto, kept as KeyObjects, stored as PKCS#8 DER
// (for `reuse_key` renewals), and converted to WebCrypto keys only where @peculiar/x509 signs.
import { createPrivateKey, createPublicKey, generateKeyPair, sign, webcrypto, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { CertificateInputError } from './errors.js';
import type { CurveName, KeyProperties } from './policyTypes.js';

const generateKeyPairAsync = promisify(generateKeyPair);

const NODE_CURVES: Record<CurveName, string> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
  'P-256K': 'secp256k1',
};

const CURVE_HASH: Record<CurveName, string> = { 'P-256': 'SHA-256', 'P-384': 'SHA-384', 'P-521': 'SHA-512', 'P-256K': 'SHA-256' };

export type KeyDescription = { kty: 'RSA'; keySize: number } | { kty: 'EC'; crv: CurveName; keySize: number };

/** Generates the private key a policy's `key_props` ask for. */
export async function generateCertificateKey(keyProps: KeyProperties): Promise<KeyObject> {
  if (keyProps.kty === 'RSA' || keyProps.kty === 'RSA-HSM') {
    const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: keyProps.key_size, publicExponent: 0x10001 });
    return privateKey;
  }
  const curve = keyProps.crv ?? 'P-256';
  const { privateKey } = await generateKeyPairAsync('ec', { namedCurve: NODE_CURVES[curve] });
  return privateKey;
}

/** kty/size/curve of a private or public key; anything but RSA and the four curves is refused. */
export function describeKey(key: KeyObject): KeyDescription {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return { kty: 'RSA', keySize: details.modulusLength ?? 0 };
  if (key.asymmetricKeyType === 'ec') {
    const crv = (Object.keys(NODE_CURVES) as CurveName[]).find((c) => NODE_CURVES[c] === details.namedCurve);
    if (crv) return { kty: 'EC', crv, keySize: crv === 'P-521' ? 521 : crv === 'P-384' ? 384 : 256 };
    throw new CertificateInputError(`The elliptic curve ${details.namedCurve ?? 'unknown'} is not supported; use P-256, P-384, P-521 or P-256K.`);
  }
  throw new CertificateInputError(`The key type ${key.asymmetricKeyType ?? 'unknown'} is not supported; use RSA or EC.`);
}

/** Whether an existing key satisfies the policy (for `reuse_key`). */
export function keyMatchesProps(key: KeyObject, keyProps: KeyProperties): boolean {
  const described = describeKey(key);
  if (keyProps.kty.startsWith('RSA')) return described.kty === 'RSA' && described.keySize === keyProps.key_size;
  return described.kty === 'EC' && described.crv === (keyProps.crv ?? 'P-256');
}

export function exportPrivateKeyDer(key: KeyObject): Buffer {
  return key.export({ type: 'pkcs8', format: 'der' });
}

export function importPrivateKeyDer(der: Buffer): KeyObject {
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

export function publicKeyOf(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}

/** The WebCrypto signing algorithm X.509 objects are signed with: sha256 RSA, the curve's hash for EC. */
export function signingAlgorithmFor(key: KeyObject): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams {
  const described = describeKey(key);
  if (described.kty === 'RSA') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  return { name: 'ECDSA', namedCurve: described.crv, hash: CURVE_HASH[described.crv] } as webcrypto.EcKeyImportParams;
}

/** WebCrypto copies of a node:crypto private key, for @peculiar/x509's generators. */
export async function toCryptoKeyPair(privateKey: KeyObject): Promise<webcrypto.CryptoKeyPair> {
  const algorithm = signingAlgorithmFor(privateKey);
  const subtle = webcrypto.subtle;
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const [priv, pub] = await Promise.all([
    subtle.importKey('pkcs8', exportPrivateKeyDer(privateKey), algorithm, true, ['sign']),
    subtle.importKey('spki', spki, algorithm, true, ['verify']),
  ]);
  return { privateKey: priv, publicKey: pub };
}

/** What @peculiar/x509 needs to sign with a key: a key pair, the algorithm and a WebCrypto provider. */
export interface X509Signer {
  keys: webcrypto.CryptoKeyPair;
  signingAlgorithm: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.EcdsaParams;
  crypto: webcrypto.Crypto;
  /** SubjectPublicKeyInfo DER, for key identifiers. */
  spki: Buffer;
}

/**
 * WebCrypto has no secp256k1 (Key Vault's P-256K), so for that curve @peculiar/x509 gets a
 * minimal provider whose `sign` and `exportKey` are node:crypto, and opaque key handles.
 */
export async function x509SignerFor(privateKey: KeyObject): Promise<X509Signer> {
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const described = describeKey(privateKey);
  if (described.kty === 'RSA' || described.crv !== 'P-256K') {
    return { keys: await toCryptoKeyPair(privateKey), signingAlgorithm: signingAlgorithmFor(privateKey), crypto: webcrypto, spki };
  }
  const algorithm = { name: 'ECDSA', namedCurve: 'K-256' };
  const handle = (type: 'private' | 'public') =>
    ({ algorithm, type, extractable: type === 'public', usages: [type === 'private' ? 'sign' : 'verify'] }) as unknown as webcrypto.CryptoKey;
  const toArrayBuffer = (bytes: Buffer) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const subtle = {
    digest: webcrypto.subtle.digest.bind(webcrypto.subtle),
    exportKey: async () => toArrayBuffer(spki),
    sign: async (_algorithm: unknown, _key: unknown, data: ArrayBuffer | ArrayBufferView) =>
      toArrayBuffer(
        sign('sha256', Buffer.from(data instanceof ArrayBuffer ? data : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)), {
          key: privateKey,
          dsaEncoding: 'ieee-p1363',
        }),
      ),
  };
  const crypto = { subtle, getRandomValues: webcrypto.getRandomValues.bind(webcrypto) } as unknown as webcrypto.Crypto;
  return { keys: { privateKey: handle('private'), publicKey: handle('public') }, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' }, crypto, spki };
}
