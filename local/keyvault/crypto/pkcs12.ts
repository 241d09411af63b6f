// PKCS#12 (PFX) files for certificate-backed secrets and imports.
// node-forge's high-level PKCS#12 API only understands RSA keys, so the PFX structure is built and
// walked here with forge's ASN.1 and PBE primitives, and keys travel as PKCS#8 — which works the
// same for RSA and EC. Written files mirror Key Vault's: 3DES-shrouded key bag, SHA-1 MAC, 2000
// iterations, empty password (readable by OpenSSL 3 and Node without the legacy provider).
import { createHash, createHmac, createPrivateKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { certificateMatchesKey } from './certificateInfo.js';
import { CertificateInputError } from './errors.js';

const { asn1, pki } = forge;
type Asn1 = forge.asn1.Asn1;

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;

const MAC_DIGESTS: Record<string, { node: string; forge: () => forge.md.MessageDigest; length: number }> = {
  [OID.sha1]: { node: 'sha1', forge: () => forge.md.sha1.create(), length: 20 },
  [OID.sha256]: { node: 'sha256', forge: () => forge.md.sha256.create(), length: 32 },
  [OID.sha384]: { node: 'sha384', forge: () => forge.md.sha384.create(), length: 48 },
  [OID.sha512]: { node: 'sha512', forge: () => forge.md.sha512.create(), length: 64 },
};

export const PKCS12_ITERATIONS = 2000;

// forge's PBE cipher lookup exists at runtime but is missing from @types/node-forge.
interface PbeCipher {
  update(data: forge.util.ByteBuffer): void;
  finish(): boolean;
  output: forge.util.ByteBuffer;
}
const pbe = (pki as unknown as { pbe: { getCipher(oid: string, params: Asn1, password: string | null): PbeCipher } }).pbe;

const seq = (items: Asn1[]): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const set = (items: Asn1[]): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, items);
const oid = (value: string): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(value).getBytes());
const octets = (bytes: string): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);
const explicit0 = (item: Asn1): Asn1 => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [item]);
const integer = (value: number): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(value).getBytes());
const toBinary = (buffer: Buffer): string => buffer.toString('binary');
const fromBinary = (bytes: string): Buffer => Buffer.from(bytes, 'binary');
const derOf = (node: Asn1): string => asn1.toDer(node).getBytes();

function bagAttributes(localKeyId: Buffer, friendlyName: string | undefined): Asn1 {
  const attributes = [seq([oid(OID.localKeyId), set([octets(toBinary(localKeyId))])])];
  if (friendlyName) {
    // forge writes a BMPSTRING's JS string as UTF-16BE itself.
    const bmp = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BMPSTRING, false, friendlyName);
    attributes.push(seq([oid(OID.friendlyName), set([bmp])]));
  }
  return set(attributes);
}

function dataContentInfo(safeBags: Asn1[]): Asn1 {
  return seq([oid(OID.data), explicit0(octets(derOf(seq(safeBags))))]);
}

function macKey(password: string | null, salt: string, iterations: number, digest: (typeof MAC_DIGESTS)[string]): Buffer {
  const key = forge.pkcs12.generateKey(password, forge.util.createBuffer(salt), 3, iterations, digest.length, digest.forge());
  return fromBinary(key.getBytes());
}

/**
 * A PFX (DER) holding `privateKey` and `chain` (in the given order), protected by `password`
 * (Key Vault uses the empty password). Without a key (non-exportable keys) only the chain is written.
 */
export function writePkcs12(privateKey: KeyObject | undefined, chain: Buffer[], options: { password?: string; friendlyName?: string } = {}): Buffer {
  const password = options.password ?? '';
  if (chain.length === 0) throw new Error('writePkcs12 needs at least the leaf certificate');
  // localKeyId ties the key to its certificate, wherever the chain puts it.
  const leafIndex = privateKey
    ? Math.max(
        0,
        chain.findIndex((der) => certificateMatchesKey(der, privateKey)),
      )
    : 0;
  const localKeyId = createHash('sha1')
    .update(chain[leafIndex] as Buffer)
    .digest();
  const safes: Asn1[] = [];
  const certBags = chain.map((der, index) => {
    const certBag = seq([oid(OID.x509Certificate), explicit0(octets(toBinary(der)))]);
    const bag = [oid(OID.certBag), explicit0(certBag)];
    if (index === leafIndex) bag.push(bagAttributes(localKeyId, options.friendlyName));
    return seq(bag);
  });
  safes.push(dataContentInfo(certBags));
  if (privateKey) {
    const privateKeyInfo = asn1.fromDer(toBinary(privateKey.export({ type: 'pkcs8', format: 'der' })));
    const shrouded = pki.encryptPrivateKeyInfo(privateKeyInfo, password, { algorithm: '3des', count: PKCS12_ITERATIONS, saltSize: 8 });
    safes.push(dataContentInfo([seq([oid(OID.shroudedKeyBag), explicit0(shrouded), bagAttributes(localKeyId, options.friendlyName)])]));
  }
  const authSafe = derOf(seq(safes));

  const digest = MAC_DIGESTS[OID.sha1] as (typeof MAC_DIGESTS)[string];
  const salt = toBinary(randomBytes(8));
  const mac = createHmac(digest.node, macKey(password, salt, PKCS12_ITERATIONS, digest))
    .update(fromBinary(authSafe))
    .digest();
  const macData = seq([
    seq([seq([oid(OID.sha1), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]), octets(toBinary(mac))]),
    octets(salt),
    integer(PKCS12_ITERATIONS),
  ]);
  const pfx = seq([integer(3), seq([oid(OID.data), explicit0(octets(authSafe))]), macData]);
  return fromBinary(derOf(pfx));
}

export interface Pkcs12Contents {
  privateKey: KeyObject | undefined;
  /** Certificates (DER) in file order. */
  certificates: Buffer[];
}

// The service gives one answer for a PFX it cannot open, whatever the cause (wrong password,
// corrupt, not PKCS#12 at all); its PEM counterpart is in the Key Vault certificate FAQ,
// https://github.com/MicrosoftDocs/azure-docs/blob/a658cf4c20d975b68298625c7c585000516fa619/articles/key-vault/certificates/faq.yml
export const PKCS12_UNREADABLE_MESSAGE = 'The specified PKCS#12 X.509 certificate content can not be read. Please check if certificate is in valid PKCS#12 format.';
const unreadable = (): CertificateInputError => new CertificateInputError(PKCS12_UNREADABLE_MESSAGE);

/** Octet string content, joining the chunks of a BER constructed OCTET STRING. */
function octetContent(node: Asn1 | undefined): string {
  if (!node) throw unreadable();
  if (Array.isArray(node.value)) return node.value.map((chunk) => octetContent(chunk)).join('');
  return node.value;
}

function children(node: Asn1 | undefined): Asn1[] {
  if (!node || !Array.isArray(node.value)) throw unreadable();
  return node.value;
}

const oidOf = (node: Asn1 | undefined): string => asn1.derToOid(octetContent(node));

function verifyMac(macData: Asn1, authSafe: string, password: string | null): boolean {
  const [digestInfo, saltNode, iterationsNode] = children(macData);
  const [algorithm, digestNode] = children(digestInfo);
  const digest = MAC_DIGESTS[oidOf(children(algorithm)[0])];
  if (!digest) throw unreadable();
  const iterations = iterationsNode ? forge.util.createBuffer(octetContent(iterationsNode)).getInt(octetContent(iterationsNode).length * 8) : 1;
  const expected = fromBinary(octetContent(digestNode));
  const actual = createHmac(digest.node, macKey(password, octetContent(saltNode), iterations, digest))
    .update(fromBinary(authSafe))
    .digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function decryptContent(encryptedData: Asn1, password: string | null): string {
  const [, encryptedContentInfo] = children(encryptedData);
  const [, algorithm, content] = children(encryptedContentInfo);
  const [algorithmOid, params] = children(algorithm);
  if (!params) throw unreadable();
  let cipher: PbeCipher;
  try {
    cipher = pbe.getCipher(oidOf(algorithmOid), params, password);
  } catch {
    throw unreadable(); // an encryption algorithm forge does not know
  }
  cipher.update(forge.util.createBuffer(octetContent(content)));
  if (!cipher.finish()) throw unreadable();
  return cipher.output.getBytes();
}

/** Reads a PFX trying each password in turn (imports pass `[pwd, '', null]`: Key Vault's own PFX files use the empty password). */
export function readPkcs12(der: Buffer, passwords: Array<string | null>): Pkcs12Contents {
  let pfx: Asn1;
  let authSafe: string;
  try {
    pfx = asn1.fromDer(toBinary(der), false);
    const contentInfo = children(pfx)[1];
    if (oidOf(children(contentInfo)[0]) !== OID.data) throw unreadable();
    authSafe = octetContent(children(children(contentInfo)[1])[0]);
  } catch (error) {
    if (error instanceof CertificateInputError) throw error;
    throw unreadable();
  }
  const macData = children(pfx)[2];
  const candidates = macData ? passwords.filter((candidate) => verifyMac(macData, authSafe, candidate)) : passwords;
  const password = candidates[0];
  if (password === undefined) throw unreadable();

  let privateKey: KeyObject | undefined;
  const certificates: Array<{ der: Buffer }> = [];
  try {
    for (const contentInfo of children(asn1.fromDer(authSafe, false))) {
      const [typeNode, wrapped] = children(contentInfo);
      const type = oidOf(typeNode);
      const safeContents =
        type === OID.data ? octetContent(children(wrapped)[0]) : type === OID.encryptedData ? decryptContent(children(wrapped)[0] as Asn1, password) : undefined;
      if (safeContents === undefined) continue;
      for (const safeBag of children(asn1.fromDer(safeContents, false))) {
        const [bagType, bagValue] = children(safeBag);
        const value = children(bagValue)[0];
        switch (oidOf(bagType)) {
          case OID.shroudedKeyBag:
          case OID.keyBag: {
            const info = oidOf(bagType) === OID.keyBag ? value : decryptShroudedKey(value as Asn1, password);
            privateKey = createPrivateKey({ key: fromBinary(derOf(info as Asn1)), format: 'der', type: 'pkcs8' });
            break;
          }
          case OID.certBag: {
            const [certType, certValue] = children(value);
            if (oidOf(certType) !== OID.x509Certificate) break;
            certificates.push({ der: fromBinary(octetContent(children(certValue)[0])) });
            break;
          }
          default:
            break; // CRL and secret bags carry nothing Key Vault keeps
        }
      }
    }
  } catch (error) {
    if (error instanceof CertificateInputError) throw error;
    throw unreadable();
  }
  return { privateKey, certificates: certificates.map((c) => c.der) };
}

function decryptShroudedKey(encrypted: Asn1, password: string | null): Asn1 {
  let info: Asn1 | null;
  try {
    info = pki.decryptPrivateKeyInfo(encrypted, password as string);
  } catch {
    // PBES2 derives from the UTF-8 password, where "no password" and "" are the same thing.
    info = password === null ? pki.decryptPrivateKeyInfo(encrypted, '') : null;
  }
  if (!info) throw unreadable();
  return info;
}
