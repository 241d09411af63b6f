// GET /api/keys: the public JWK of a certificate's key, never its private parts.
import { createPublicKey, X509Certificate } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { ApiClient, errorCodeOf, uniqueName } from '../../support/api.js';
import { waitForOperation } from '../../support/operations.js';

const stack = inject('stack');
const api = new ApiClient(stack.apiBaseUrl, stack.functionKey);

describe('keys API', () => {
  it("returns a certificate's public key as a JWK that matches the certificate", async () => {
    const name = uniqueName('keycert');
    const created = await api.put(`/certificates/${name}`, { policy: { subject: `CN=${name}`, keyType: 'EC', keyCurveName: 'P-384' } });
    expect(created.status).toBe(202);
    const operation = await waitForOperation(api, created.headers.get('operation-location')!);
    expect(operation.status).toBe('Succeeded');

    const key = await api.get(`/keys/${name}`);
    expect(key.status).toBe(200);
    expect(key.body).toMatchObject({ name, version: operation.result.version, key: { kty: 'EC', crv: 'P-384' }, properties: { managed: true } });
    for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key.body.key[privatePart]).toBeUndefined();
    expect(key.headers.get('etag')).toBe(`"${operation.result.version}"`);

    const certificate = await api.get(`/certificates/${name}`);
    const fromCertificate = new X509Certificate(Buffer.from(certificate.body.cer, 'base64')).publicKey.export({ format: 'jwk' });
    const fromApi = createPublicKey({ key: { kty: 'EC', crv: 'P-384', x: key.body.key.x, y: key.body.key.y }, format: 'jwk' }).export({ format: 'jwk' });
    expect(fromApi).toEqual(fromCertificate);

    const byVersion = await api.get(`/keys/${name}/versions/${operation.result.version}`);
    expect(byVersion.body.key).toEqual(key.body.key);
  });

  it('answers 404 KeyNotFound for an unknown key', async () => {
    const response = await api.get(`/keys/${uniqueName('nokey')}`);
    expect(response.status).toBe(404);
    expect(errorCodeOf(response)).toBe('KeyNotFound');
  });
});
