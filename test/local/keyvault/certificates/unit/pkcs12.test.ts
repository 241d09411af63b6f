import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { CertificateInputError } from '../../../../../local/keyvault/crypto/errors.js';
import { pemEncode } from '../../../../../local/keyvault/crypto/pem.js';
import { PKCS12_UNREADABLE_MESSAGE, readPkcs12, writePkcs12 } from '../../../../../local/keyvault/crypto/pkcs12.js';
import { caSignedChain, selfSigned } from './fixtures.js';
import { hasOpenssl, openssl } from './openssl.js';

const KEY_SPECS = [
  ['RSA 2048', { kty: 'RSA' }],
  ['RSA 4096', { kty: 'RSA', key_size: 4096 }],
  ['EC P-256', { kty: 'EC', crv: 'P-256' }],
  ['EC P-384', { kty: 'EC', crv: 'P-384' }],
  ['EC P-521', { kty: 'EC', crv: 'P-521' }],
  ['EC P-256K', { kty: 'EC', crv: 'P-256K' }],
] as const;

describe('writePkcs12', () => {
  it.each(KEY_SPECS)('%s: Node opens it with "" and with no passphrase, and we read it back', async (_label, keyProps) => {
    const { key, der } = await selfSigned({ key_props: keyProps, x509_props: { subject: 'CN=pfx' } });
    const pfx = writePkcs12(key, [der]);
    expect(() => createSecureContext({ pfx, passphrase: '' })).not.toThrow();
    expect(() => createSecureContext({ pfx })).not.toThrow();
    const read = readPkcs12(pfx, ['', null]);
    expect(read.certificates).toEqual([der]);
    expect(createPublicKey(read.privateKey as never).equals(createPublicKey(key))).toBe(true);
  });

  it.skipIf(!hasOpenssl).each(KEY_SPECS)('%s: openssl pkcs12 -passin pass: opens it (3DES, SHA-1 MAC, 2000 iterations)', async (_label, keyProps) => {
    const { key, der } = await selfSigned({ key_props: keyProps, x509_props: { subject: 'CN=pfx' } });
    const pfx = writePkcs12(key, [der], { friendlyName: 'kv-cert' });
    const info = openssl(['pkcs12', '-in', 'c.pfx', '-info', '-noout', '-passin', 'pass:'], { 'c.pfx': pfx });
    expect(info.stdout).toBe('');
    const { stdout } = openssl(['pkcs12', '-in', 'c.pfx', '-nodes', '-passin', 'pass:'], { 'c.pfx': pfx });
    expect(stdout).toContain('friendlyName: kv-cert');
    const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(stdout)?.[0] ?? '';
    expect(createPublicKey(createPrivateKey(keyPem)).equals(createPublicKey(key))).toBe(true);
    const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(stdout)?.[0] ?? '';
    expect(new X509Certificate(certPem).raw).toEqual(der);
  });

  it.skipIf(!hasOpenssl)('reports the Key Vault algorithms to openssl -info', async () => {
    const { key, der } = await selfSigned({ key_props: { kty: 'EC' }, x509_props: { subject: 'CN=pfx' } });
    const { stderr } = openssl(['pkcs12', '-in', 'c.pfx', '-info', '-noout', '-passin', 'pass:'], { 'c.pfx': writePkcs12(key, [der]) });
    expect(stderr).toContain('MAC: sha1, Iteration 2000');
    expect(stderr).toContain('Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2000');
    expect(stderr).toContain('Certificate bag');
  });

  it('keeps a chain, leaf first, and honours a password', async () => {
    const { ca, leaf } = await caSignedChain();
    const pfx = writePkcs12(leaf.key, [leaf.der, ca.der], { password: 'p@ss' });
    expect(() => createSecureContext({ pfx, passphrase: 'p@ss' })).not.toThrow();
    expect(() => readPkcs12(pfx, ['', null])).toThrow(PKCS12_UNREADABLE_MESSAGE);
    expect(readPkcs12(pfx, ['wrong', 'p@ss']).certificates).toEqual([leaf.der, ca.der]);
  });

  it('ties the key to its certificate when the chain does not start with the leaf', async () => {
    const { ca, leaf } = await caSignedChain();
    const pfx = writePkcs12(leaf.key, [ca.der, leaf.der]);
    expect(() => createSecureContext({ pfx, passphrase: '' })).not.toThrow();
    expect(readPkcs12(pfx, ['']).certificates).toEqual([ca.der, leaf.der]);
  });
});

describe('readPkcs12 with files made by OpenSSL', () => {
  async function opensslPfx(args: string[], withChain = false): Promise<{ pfx: Buffer; keyDer: Buffer; leaf: Buffer; ca: Buffer }> {
    const { ca, leaf } = await caSignedChain(withChain ? undefined : (await selfSigned({ key_props: { kty: 'EC' }, x509_props: { subject: 'CN=k' } })).key);
    const files = {
      'key.pem': leaf.key.export({ type: 'pkcs8', format: 'pem' }),
      'leaf.pem': pemEncode('CERTIFICATE', leaf.der),
      'ca.pem': pemEncode('CERTIFICATE', ca.der),
    };
    const chainArgs = withChain ? ['-certfile', 'ca.pem'] : [];
    const out = openssl(['pkcs12', '-export', '-inkey', 'key.pem', '-in', 'leaf.pem', ...chainArgs, ...args, '-out', 'out.pfx'], files, ['out.pfx']);
    return { pfx: out.files['out.pfx'] as Buffer, keyDer: createPublicKey(leaf.key).export({ type: 'spki', format: 'der' }), leaf: leaf.der, ca: ca.der };
  }

  it.skipIf(!hasOpenssl)('OpenSSL 3 defaults (PBES2 AES-256, SHA-256 MAC) with a password and a chain', async () => {
    const made = await opensslPfx(['-passout', 'pass:s3cret'], true);
    const read = readPkcs12(made.pfx, ['s3cret', '', null]);
    expect(createPublicKey(read.privateKey as never).export({ type: 'spki', format: 'der' })).toEqual(made.keyDer);
    expect(read.certificates[0]).toEqual(made.leaf);
    expect(read.certificates).toContainEqual(made.ca);
  });

  it.skipIf(!hasOpenssl)('legacy-style 3DES with an empty password, EC key', async () => {
    const made = await opensslPfx(['-passout', 'pass:', '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']);
    const read = readPkcs12(made.pfx, ['', null]);
    expect(createPublicKey(read.privateKey as never).export({ type: 'spki', format: 'der' })).toEqual(made.keyDer);
    expect(read.certificates).toEqual([made.leaf]);
  });

  it.skipIf(!hasOpenssl)('unencrypted certificates and no MAC', async () => {
    const made = await opensslPfx(['-passout', 'pass:', '-certpbe', 'NONE', '-nomac']);
    expect(readPkcs12(made.pfx, ['', null]).certificates).toEqual([made.leaf]);
  });

  it.skipIf(!hasOpenssl)('a wrong password gets the service text', async () => {
    const made = await opensslPfx(['-passout', 'pass:right']);
    expect(() => readPkcs12(made.pfx, ['wrong', '', null])).toThrow(new CertificateInputError(PKCS12_UNREADABLE_MESSAGE));
  });
});

describe('readPkcs12 on garbage', () => {
  it.each([Buffer.from('not a pfx'), Buffer.alloc(0), Buffer.from([0x30, 0x03, 0x02, 0x01, 0x03])])('%s gets the service text', (bytes) => {
    expect(() => readPkcs12(bytes, ['', null])).toThrow(new CertificateInputError(PKCS12_UNREADABLE_MESSAGE));
  });
});
