import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyOpsFor, publicJwk } from '../../../../../local/keyvault/crypto/jwk.js';
import { CertificateInputError } from '../../../../../local/keyvault/crypto/errors.js';
import { mergeChain } from '../../../../../local/keyvault/crypto/merge.js';
import { pemBlocks, pemEncode } from '../../../../../local/keyvault/crypto/pem.js';
import { caSignedChain, selfSigned } from './fixtures.js';
import { hasOpenssl, openssl } from './openssl.js';

describe('publicJwk', () => {
  it('RSA: n/e only, base64url, key_ops from the default key usage', async () => {
    const { key } = await selfSigned();
    const jwk = publicJwk(key, ['digitalSignature', 'keyEncipherment']);
    expect(Object.keys(jwk).sort()).toEqual(['e', 'key_ops', 'kty', 'n']);
    expect(jwk).toMatchObject({ kty: 'RSA', e: 'AQAB', key_ops: ['sign', 'verify', 'wrapKey', 'unwrapKey', 'encrypt', 'decrypt'] });
    expect(jwk.n).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }).equals(createPublicKey(key))).toBe(true);
  });

  it.each(['P-256', 'P-384', 'P-521', 'P-256K'] as const)('EC %s: crv/x/y, sign+verify only', async (crv) => {
    const { key } = await selfSigned({ key_props: { kty: 'EC', crv }, x509_props: { subject: 'CN=ec' } });
    const jwk = publicJwk(key, ['digitalSignature', 'keyEncipherment']);
    expect(Object.keys(jwk).sort()).toEqual(['crv', 'key_ops', 'kty', 'x', 'y']);
    expect(jwk).toMatchObject({ kty: 'EC', crv, key_ops: ['sign', 'verify'] });
    const nodeCrv = crv === 'P-256K' ? 'secp256k1' : crv;
    expect(createPublicKey({ key: { kty: 'EC', crv: nodeCrv, x: jwk.x, y: jwk.y }, format: 'jwk' }).equals(createPublicKey(key))).toBe(true);
  });

  it('maps key usages to key_ops', () => {
    expect(keyOpsFor('RSA', ['keyEncipherment'])).toEqual(['wrapKey', 'unwrapKey', 'encrypt', 'decrypt']);
    expect(keyOpsFor('RSA', ['cRLSign'])).toEqual(['sign', 'verify']);
    expect(keyOpsFor('RSA', ['encipherOnly'])).toEqual([]);
    expect(keyOpsFor('EC', ['keyAgreement', 'dataEncipherment'])).toEqual(['sign', 'verify']);
  });
});

describe('mergeChain', () => {
  it('accepts an externally signed chain for the pending key, leaf first', async () => {
    const pending = await selfSigned();
    const { ca, leaf } = await caSignedChain(pending.key);
    const chain = mergeChain([ca.der.toString('base64'), leaf.der.toString('base64')], pending.key);
    expect(chain).toEqual([leaf.der, ca.der]);
    expect(mergeChain([ca.der.toString('base64'), leaf.der.toString('base64')], pending.key, true)).toEqual([ca.der, leaf.der]);
  });

  // What the JS SDK's own merge test sends: the lines of an openssl-written test.crt without the
  // first one, joined — the body followed by the END line — as bytes, which the SDK base64-encodes.
  const jsSdkTestEntry = (der: Buffer) => Buffer.from(pemEncode('CERTIFICATE', der).split('\n').slice(1, -1).join('')).toString('base64');
  const pemLines = (der: Buffer) => pemEncode('CERTIFICATE', der);

  it.each([
    ['base64 DER', (der: Buffer) => der.toString('base64')],
    ['PEM text', pemLines],
    ['PEM text with CRLF', (der: Buffer) => pemLines(der).replace(/\n/g, '\r\n')],
    ['base64 of PEM text', (der: Buffer) => Buffer.from(pemLines(der)).toString('base64')],
    ['base64 of the PEM body without BEGIN/END', (der: Buffer) => Buffer.from(der.toString('base64')).toString('base64')],
    ['base64 of the PEM body with END but no BEGIN (the JS SDK test)', jsSdkTestEntry],
    [
      'base64 of BEGIN, body and END on one line',
      (der: Buffer) => Buffer.from(`-----BEGIN CERTIFICATE-----${der.toString('base64')}-----END CERTIFICATE-----`).toString('base64'),
    ],
  ])('accepts an entry given as %s', async (_label, encode) => {
    const pending = await selfSigned();
    const { ca, leaf } = await caSignedChain(pending.key);
    expect(mergeChain([encode(leaf.der), encode(ca.der)], pending.key)).toEqual([leaf.der, ca.der]);
  });

  it('takes every certificate of a PEM entry', async () => {
    const pending = await selfSigned();
    const { ca, leaf } = await caSignedChain(pending.key);
    expect(mergeChain([pemLines(ca.der) + pemLines(leaf.der)], pending.key)).toEqual([leaf.der, ca.der]);
  });

  it('rejects a certificate for another key with the service text', async () => {
    const pending = await selfSigned();
    const { leaf } = await caSignedChain();
    expect(() => mergeChain([leaf.der.toString('base64')], pending.key)).toThrow(
      new CertificateInputError("Public key from x509 certificate and key of this instance doesn't match"),
    );
  });

  it.each([[undefined], [[]], ['MIIB'], [{}]])('x5c %j: X5C must has at least one valid item', async (x5c) => {
    const pending = await selfSigned();
    expect(() => mergeChain(x5c, pending.key)).toThrow(new CertificateInputError('Property x5c has invalid value X5C must has at least one valid item'));
  });

  it.each([
    ['an empty string', ''],
    ['a number', 42],
    ['base64 of text', 'bm90IGEgY2VydA=='],
    ['neither base64 nor PEM', '!!!'],
    ['a PEM block of another kind', '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n'],
    ['a damaged PEM certificate', pemEncode('CERTIFICATE', Buffer.from('not DER'))],
  ])('an entry that is %s cannot be parsed', async (_label, entry) => {
    const pending = await selfSigned();
    const { leaf } = await caSignedChain(pending.key);
    expect(() => mergeChain([leaf.der.toString('base64'), entry], pending.key)).toThrow(
      new CertificateInputError('Unable to parse X5c certificate chain and locate leaf certificate'),
    );
  });

  it.skipIf(!hasOpenssl)('refuses PKCS#7, as PEM or base64 DER (the service does not take it)', async () => {
    const pending = await selfSigned();
    const { leaf } = await caSignedChain(pending.key);
    const p7 = openssl(['crl2pkcs7', '-nocrl', '-certfile', 'c.pem', '-out', 'c.p7b'], { 'c.pem': pemLines(leaf.der) }, ['c.p7b']).files['c.p7b'] as Buffer;
    const p7Der = pemBlocks(p7.toString())[0]!.der;
    for (const entry of [p7.toString(), p7.toString('base64'), p7Der.toString('base64')]) {
      expect(() => mergeChain([entry], pending.key)).toThrow('Unable to parse X5c certificate chain and locate leaf certificate');
    }
  });
});
