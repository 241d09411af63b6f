import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyOpsFor, publicJwk } from '../../../local/keyvault/crypto/jwk.js';
import { mergeChain } from '../../../local/keyvault/crypto/merge.js';
import { caSignedChain, selfSigned } from './fixtures.js';

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

  it('rejects a certificate for another key', async () => {
    const pending = await selfSigned();
    const { leaf } = await caSignedChain();
    expect(() => mergeChain([leaf.der.toString('base64')], pending.key)).toThrow(/doesn't match/);
  });

  it.each([[undefined], [[]], [['']], [[42]], [['bm90IGEgY2VydA==']]])('rejects x5c %j', async (x5c) => {
    const pending = await selfSigned();
    expect(() => mergeChain(x5c, pending.key)).toThrow(/x5c|not a valid DER/);
  });
});
