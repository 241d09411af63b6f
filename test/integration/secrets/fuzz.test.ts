// Thousands of random and malformed requests: never a 5xx, and every error well-formed.
import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../../support/api.js';

const stack = inject('stack');
const api = new ApiClient(stack.apiBaseUrl, stack.functionKey);
const RUNS = 2_000;

const segment = fc.oneof(
  fc.constantFrom('fz-a', 'fz-b', 'fz-c'),
  fc.stringMatching(/^fz-[0-9a-zA-Z-]{1,20}$/),
  fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
  fc.constantFrom('%00', '..', '%2e%2e', 'a'.repeat(128), '%E2%82%AC', '%ZZ', ' ', '*'),
);
const version = fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.string({ maxLength: 40 }).map(encodeURIComponent));

const path = fc.oneof(
  fc.constant('/secrets'),
  segment.map((n) => `/secrets/${n}`),
  segment.map((n) => `/secrets/${n}/versions`),
  fc.tuple(segment, version).map(([n, v]) => `/secrets/${n}/versions/${v}`),
  fc.constant('/deleted-secrets'),
  segment.map((n) => `/deleted-secrets/${n}`),
  segment.map((n) => `/deleted-secrets/${n}/recover`),
  segment.map((n) => `/keys/${n}`),
  fc.tuple(segment, version).map(([n, v]) => `/keys/${n}/versions/${v}`),
);

const query = fc.dictionary(
  fc.constantFrom('maxPageSize', 'continuationToken', 'returnValue', 'other'),
  fc.oneof(fc.string({ maxLength: 30 }), fc.integer({ min: -5, max: 50 }).map(String), fc.base64String({ maxLength: 60 })),
);

const field = fc.constantFrom('value', 'contentType', 'tags', 'enabled', 'notBefore', 'expiresOn', 'extra');
const anyValue = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 20 }),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.dictionary(field, anyValue, { maxKeys: 5 }).map((o) => JSON.stringify(o)),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 80 }),
  fc.constantFrom('{', '[]', 'null', '"x"', '{"value":', '\u0000'),
);
const headers = fc.record(
  {
    'if-match': fc.oneof(fc.constant('*'), fc.string({ maxLength: 40 }).filter((s) => /^[\x20-\x7e]*$/.test(s))),
    'if-none-match': fc.constantFrom('*', 'abc', '"x"'),
    'idempotency-key': fc.stringMatching(/^[a-z0-9-]{1,40}$/),
    'content-type': fc.constantFrom('application/json', 'text/plain', 'application/merge-patch+json', 'multipart/form-data'),
  },
  { requiredKeys: [] },
);

const request = fc.record({
  method: fc.constantFrom('GET', 'PUT', 'PATCH', 'POST', 'DELETE'),
  path,
  query,
  body,
  headers,
});

describe('fuzzing the secrets API', () => {
  it(`answers ${RUNS} random requests without a 5xx, every error in the Azure shape`, { timeout: 600_000 }, async () => {
    let errors = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const url = new URL(`${stack.apiBaseUrl}${r.path}`);
        for (const [k, v] of Object.entries(r.query)) url.searchParams.set(k, v);
        const hasBody = r.body !== undefined && r.method !== 'GET';
        const response = await api.call(r.method, url.toString(), {
          ...(hasBody ? { rawBody: r.body } : {}),
          headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...r.headers },
        });
        expect(response.status, `${r.method} ${url}`).toBeLessThan(500);
        // The host answers unmatched routes with an empty 404, as Azure does; the app answers
        // every other error with the error shape.
        if (response.status >= 400 && response.text !== '') {
          errors++;
          const parsed = JSON.parse(response.text) as { error: { code: string; message: string } };
          expect(typeof parsed.error.code).toBe('string');
          expect(typeof parsed.error.message).toBe('string');
          expect(response.headers.get('x-ms-error-code')).toBe(parsed.error.code);
          expect(response.text).not.toMatch(/\n\s+at /);
        }
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    expect(errors).toBeGreaterThan(RUNS / 4);
  });
});
