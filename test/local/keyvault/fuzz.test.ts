// Throws random requests at the emulator over raw HTTPS: bad input is 400 BadParameter (or a
// proper 4xx), never a 500, and every non-204 answer is a JSON object.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../local/keyvault/index.js';
import { localSecretClient, rawRequest, startTestEmulator, tokenFor } from './helpers.js';

let emulator: RunningEmulator;
let token: string;

beforeAll(async () => {
  emulator = await startTestEmulator();
  token = await tokenFor(emulator);
  const client = localSecretClient(emulator);
  await client.setSecret('known', 'value');
  await client.setSecret('doomed', 'value');
  await (await client.beginDeleteSecret('doomed')).pollUntilDone();
});

afterAll(async () => {
  await emulator?.stop();
});

const segment = fc.oneof(
  fc.constantFrom('secrets', 'deletedsecrets', 'keys', 'certificates', 'known', 'doomed', 'versions', 'backup', 'recover', 'restore', ''),
  fc.constantFrom('0'.repeat(32), 'f'.repeat(32), 'a'.repeat(127), 'a'.repeat(128), '%00', '%zz', '..', '%2F', '%C3%BCn%C3%AF', 'a%20b', '$', '%FF'),
  fc.stringMatching(/^[0-9a-zA-Z-]{1,20}$/),
  fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s)),
);

const query = fc.record(
  {
    apiVersion: fc.constantFrom('api-version=2026-04-01', 'api%2Dversion=7.5', 'api-version=1.0', 'api-version=', ''),
    maxresults: fc.constantFrom('', '&maxresults=1', '&maxresults=0', '&maxresults=26', '&maxresults=x', '&maxresults=-5'),
    skip: fc.constantFrom('', '&$skiptoken=garbage', '&%24skiptoken=eyJhZnRlciI6MX0', '&$skiptoken=eyJhZnRlciI6ImEifQ'),
    other: fc.constantFrom('', '&outContentType=application/x-pem-file', '&x=%ZZ', '&&&=='),
  },
  { requiredKeys: ['apiVersion', 'maxresults', 'skip', 'other'] },
);

const jsonValue = fc.jsonValue({ maxDepth: 4 });
const body = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 200 }),
  jsonValue.map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        value: fc.oneof(fc.string({ maxLength: 50 }), jsonValue),
        contentType: fc.oneof(fc.string({ maxLength: 300 }), jsonValue),
        tags: fc.oneof(fc.dictionary(fc.string({ maxLength: 300 }), fc.oneof(fc.string({ maxLength: 300 }), jsonValue), { maxKeys: 20 }), jsonValue),
        attributes: fc.oneof(
          fc.record({ enabled: jsonValue, nbf: fc.oneof(fc.integer(), fc.double(), jsonValue), exp: fc.oneof(fc.integer(), jsonValue) }, { requiredKeys: [] }),
          jsonValue,
        ),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.uint8Array({ maxLength: 100 }).map((a) => Buffer.from(a)),
);

describe('fuzz', () => {
  it('answers random requests with JSON and never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'PUT', 'POST', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        query,
        body,
        fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', undefined),
        async (method, segments, q, payload, contentType) => {
          const path = `/${segments.join('/')}?${q.apiVersion}${q.maxresults}${q.skip}${q.other}`;
          const headers: Record<string, string> = { authorization: `Bearer ${token}` };
          if (contentType) headers['content-type'] = contentType;
          const res = await rawRequest(emulator, { method, path, headers, ...(payload === undefined || method === 'GET' || method === 'HEAD' ? {} : { body: payload }) });
          expect(res.status, `${method} ${path} → ${res.status} ${res.text}`).toBeLessThan(500);
          if (res.status !== 204 && method !== 'HEAD' && res.text !== '') {
            const parsed = res.json() as Record<string, unknown>;
            expect(typeof parsed).toBe('object');
            if (res.status >= 400) {
              const error = parsed['error'] as { code: string; message: string };
              expect(typeof error.code).toBe('string');
              expect(typeof error.message).toBe('string');
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('route-shaped requests with random names, versions and bodies never 5xx', async () => {
    const name = fc.oneof(fc.constantFrom('known', 'doomed', 'KNOWN', 'fresh'), fc.stringMatching(/^[0-9a-zA-Z-]{1,8}$/), segment);
    const version = fc.oneof(fc.constant(''), fc.constant('0'.repeat(32)), fc.stringMatching(/^[0-9a-f]{32}$/), segment);
    const route = fc.oneof(
      fc.tuple(fc.constant('PUT'), name).map(([m, n]) => [m, `/secrets/${n}`] as const),
      fc.tuple(fc.constantFrom('GET', 'PATCH'), name, version).map(([m, n, v]) => [m, `/secrets/${n}/${v}`] as const),
      fc.tuple(fc.constantFrom('DELETE', 'GET'), name).map(([m, n]) => [m, `/deletedsecrets/${n}`] as const),
      fc.tuple(fc.constantFrom('POST'), name).map(([m, n]) => [m, `/deletedsecrets/${n}/recover`] as const),
      fc.tuple(fc.constantFrom('POST'), name).map(([m, n]) => [m, `/secrets/${n}/backup`] as const),
      fc.constant(['POST', '/secrets/restore'] as const),
      fc.tuple(fc.constantFrom('GET'), name).map(([m, n]) => [m, `/secrets/${n}/versions`] as const),
      fc.tuple(fc.constantFrom('GET'), name, version).map(([m, n, v]) => [m, `/keys/${n}/${v}`] as const),
      fc.constantFrom(['GET', '/secrets'] as const, ['GET', '/deletedsecrets'] as const, ['GET', '/keys'] as const),
    );
    await fc.assert(
      fc.asyncProperty(route, query, body, async ([method, path], q, payload) => {
        const url = `${path}?${q.apiVersion || 'api-version=2026-04-01'}${q.maxresults}${q.skip}${q.other}`;
        const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
        const res = await rawRequest(emulator, { method, path: url, headers, ...(payload === undefined || method === 'GET' ? {} : { body: payload }) });
        expect(res.status, `${method} ${url} → ${res.status} ${res.text}`).toBeLessThan(500);
        expect([200, 204, 400, 403, 404, 409]).toContain(res.status);
      }),
      { numRuns: 500 },
    );
  });

  it('without a token every request is a 401 challenge, whatever the route or body', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'PUT', 'POST', 'PATCH', 'DELETE'),
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        query,
        body,
        async (method, segments, q, payload) => {
          const path = `/${segments.join('/')}?${q.apiVersion}${q.maxresults}${q.skip}${q.other}`;
          const res = await rawRequest(emulator, { method, path, ...(method === 'GET' || payload === undefined ? {} : { body: payload }) });
          expect(res.status, `${method} ${path}`).toBe(401);
          expect(res.headers['www-authenticate']).toMatch(/^Bearer authorization="[^"]+", resource="[^"]+"$/);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('malformed JSON and wrong types on every body route are 400 BadParameter', async () => {
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const routes: Array<[string, string]> = [
      ['PUT', '/secrets/fz'],
      ['PATCH', '/secrets/known/'],
      ['POST', '/secrets/restore'],
    ];
    for (const [method, path] of routes) {
      const payloads = ['{', '[]', '"str"', '{"attributes":{"enabled":"yes"}}', '{"tags":{"a":1}}', '{"contentType":5}', 'null'];
      if (method !== 'PATCH') payloads.push('{"value":1}', '{}');
      for (const payload of payloads) {
        const res = await rawRequest(emulator, { method, path: `${path}?api-version=2026-04-01`, headers: auth, body: payload });
        expect(res.status, `${method} ${path} ${payload}`).toBe(400);
        expect((res.json() as { error: { code: string } }).error.code).toBe('BadParameter');
      }
    }
  });
});
