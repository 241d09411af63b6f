// The API describes itself: a generated OpenAPI 3.1 document, a browsable page, health checks.
import { describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../../support/api.js';

const stack = inject('stack');
const api = new ApiClient(stack.apiBaseUrl, stack.functionKey);

describe('OpenAPI document and docs page', () => {
  it('serves an OpenAPI 3.1 document generated from the request schemas', async () => {
    const response = await api.get('/openapi.json', { key: false });
    expect(response.status).toBe(200);
    const doc = response.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: stack.apiBaseUrl }]);
    for (const path of [
      '/secrets',
      '/secrets/{name}',
      '/secrets/{name}/versions',
      '/secrets/{name}/versions/{version}',
      '/deleted-secrets',
      '/deleted-secrets/{name}',
      '/deleted-secrets/{name}/recover',
      '/keys/{name}',
      '/health',
      // Every vault route also answers under /vaults/{vault}/.
      '/vaults/{vault}/secrets/{name}',
      '/vaults/{vault}/certificates/{name}',
      '/vaults/{vault}/keys/{name}',
      '/vaults/{vault}/operations/{id}',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    const put = doc.paths['/secrets/{name}'].put;
    expect(put.operationId).toBe('secretsSet');
    expect(put.security).toEqual([{ functionKey: [] }]);
    expect(put.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/SetSecretRequest' });
    const setRequest = doc.components.schemas.SetSecretRequest;
    expect(setRequest.required).toEqual(['value']);
    expect(setRequest.additionalProperties).toBe(false);
    expect(put.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['name', 'returnValue', 'If-Match', 'If-None-Match', 'Idempotency-Key']));
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(['200', '201', '400', '401', '409', '412', '413', '429', '500']));
    expect(doc.paths['/health'].get.security).toEqual([]);
    expect(doc.components.securitySchemes.functionKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-functions-key' });
  });

  it('keeps the document and the page out of shared caches', async () => {
    for (const path of ['/openapi.json', '/docs']) {
      const cacheControl = (await api.get(path, { key: false })).headers.get('cache-control') ?? '';
      expect(cacheControl, path).toMatch(/\b(private|no-store)\b/);
      expect(cacheControl, path).not.toMatch(/\bpublic\b/);
    }
  });

  it('serves a browsable page and only its own assets', async () => {
    const page = await api.get('/docs', { key: false });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    for (const asset of ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'init.js']) {
      expect(page.text).toContain(`docs/${asset}`);
      const file = await api.get(`/docs/${asset}`, { key: false });
      expect(file.status, asset).toBe(200);
    }
    expect((await api.get('/docs/package.json', { key: false })).status).toBe(404);
    expect((await api.get('/docs/..%2F..%2Fpackage.json', { key: false })).status).toBe(404);
  });
});

describe('health', () => {
  it('liveness is anonymous; the deep check needs a key and reports vault and storage', async () => {
    expect((await api.get('/health', { key: false })).status).toBe(200);
    expect((await api.get('/health/deep', { key: false })).status).toBe(401);
    const deep = await api.get('/health/deep');
    expect(deep.status).toBe(200);
    expect(deep.body).toMatchObject({ status: 'Healthy', checks: { vault: { status: 'Healthy' }, storage: { status: 'Healthy' } } });
  });
});
