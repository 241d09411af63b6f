// Every URL the API returns (Location, Operation-Location, nextLink, the OpenAPI server) starts
// at the configured public base, never at what the caller put in Host or X-Forwarded-Host: a
// client following such a link would send its function key wherever the link points.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, uniqueName } from '../../support/api.js';
import { startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';

const stack = inject('stack');
const SPOOFED = { host: 'attacker.example', 'x-forwarded-host': 'forwarded.attacker.example', 'x-forwarded-proto': 'https' };

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/** A request whose Host header really is the one given (fetch would not send it). */
function spoofed(apiBaseUrl: string, functionKey: string, method: string, path: string, body?: unknown): Promise<RawAnswer> {
  const url = new URL(`${apiBaseUrl}${path}`);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: `${url.pathname}${url.search}`,
        headers: {
          ...SPOOFED,
          'x-functions-key': functionKey,
          ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** Location, Operation-Location, nextLink and the OpenAPI server URL, from requests with a spoofed Host. */
async function linksOf(apiBaseUrl: string, functionKey: string): Promise<string[]> {
  const call = (method: string, path: string, body?: unknown) => spoofed(apiBaseUrl, functionKey, method, path, body);
  const prefix = uniqueName('links');
  const created = await call('PUT', `/secrets/${prefix}-a`, { value: 'v' });
  expect(created.status).toBe(201);
  expect((await call('PUT', `/secrets/${prefix}-b`, { value: 'v' })).status).toBe(201);
  const page = await call('GET', '/secrets?maxPageSize=1');
  expect(page.status).toBe(200);
  const operation = await call('PUT', `/certificates/${prefix}`);
  expect(operation.status).toBe(202);
  const document = await call('GET', '/openapi.json');
  expect(document.status).toBe(200);
  const links = [created.headers.location, page.body.nextLink, operation.headers['operation-location'], document.body.servers[0].url];
  for (const link of links) expect(typeof link).toBe('string');
  return links as string[];
}

describe('links in answers', () => {
  it('start at the app host name (WEBSITE_HOSTNAME), whatever Host and X-Forwarded-Host say', async () => {
    const links = await linksOf(stack.apiBaseUrl, stack.functionKey);
    for (const link of links) {
      expect(link.startsWith(stack.apiBaseUrl), link).toBe(true);
      expect(link).not.toContain('attacker');
    }
  });

  describe('with PUBLIC_BASE_URL', () => {
    let app: IsolatedApp;
    const publicBase = 'https://vault-api.contoso.example/kv';
    beforeAll(async () => {
      app = await startIsolatedApp({ settings: { PUBLIC_BASE_URL: `${publicBase}/` }, emulator: { timing: 'instant' } });
    });
    afterAll(async () => app?.stop());

    it('start there, route prefix included', async () => {
      const links = await linksOf(app.api.baseUrl, app.host.functionKey);
      for (const link of links) expect(link.startsWith(`${publicBase}/api`), link).toBe(true);
      // The nextLink is followable once the base is mapped back to the app.
      const next = links[1]!.replace(publicBase, app.host.baseUrl);
      expect((await new ApiClient(app.api.baseUrl, app.host.functionKey).get(next)).status).toBe(200);
    });
  });
});
