// Random bodies and paths against every certificate route over raw HTTPS: malformed input must
// be a 4xx with a Key Vault error body (400 BadParameter for bad bodies), never a 5xx.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../../local/keyvault/index.js';
import { rawRequest, startTestEmulator, tokenFor } from '../helpers.js';

let emulator: RunningEmulator;
let token: string;

beforeAll(async () => {
  emulator = await startTestEmulator();
  token = await tokenFor(emulator);
});

afterAll(async () => {
  await emulator?.stop();
});

const junk = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(null), fc.constant({}), fc.constant([]));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, junk);

const policy = fc.record(
  {
    key_props: maybe(
      fc.record(
        {
          kty: maybe(fc.constantFrom('RSA', 'EC', 'ec', 'oct', 'RSA-HSM')),
          key_size: maybe(fc.constantFrom(2048, 1024, 256, 384, 0, -1, 2048.5)),
          crv: maybe(fc.constantFrom('P-256', 'P-384', 'P-256K', 'P-999', '')),
          exportable: maybe(fc.boolean()),
          reuse_key: maybe(fc.boolean()),
        },
        { requiredKeys: [] },
      ),
    ),
    secret_props: maybe(fc.record({ contentType: maybe(fc.constantFrom('application/x-pkcs12', 'application/x-pem-file', 'text/plain')) }, { requiredKeys: [] })),
    x509_props: maybe(
      fc.record(
        {
          subject: maybe(fc.oneof(fc.constantFrom('CN=a', 'cn=b, o=c', '', 'CN', '=x', 'CN=a, C=USA'), fc.string({ maxLength: 20 }))),
          sans: maybe(
            fc.record(
              {
                dns_names: maybe(fc.array(fc.oneof(fc.constant('a.example'), fc.string({ maxLength: 10 })), { maxLength: 3 })),
                emails: maybe(fc.array(fc.string({ maxLength: 10 }), { maxLength: 2 })),
                upns: maybe(fc.array(fc.string({ maxLength: 10 }), { maxLength: 2 })),
                uris: maybe(fc.array(fc.string({ maxLength: 10 }), { maxLength: 2 })),
                ipAddresses: maybe(fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 6 })), { maxLength: 2 })),
              },
              { requiredKeys: [] },
            ),
          ),
          ekus: maybe(fc.array(fc.oneof(fc.constant('1.3.6.1.5.5.7.3.1'), fc.string({ maxLength: 8 })), { maxLength: 2 })),
          key_usage: maybe(fc.array(fc.constantFrom('digitalSignature', 'keyCertSign', 'nope'), { maxLength: 2 })),
          validity_months: maybe(fc.integer({ min: -2, max: 2000 })),
        },
        { requiredKeys: [] },
      ),
    ),
    lifetime_actions: maybe(
      fc.array(
        fc.record({
          trigger: maybe(
            fc.record({ lifetime_percentage: maybe(fc.integer({ min: -5, max: 120 })), days_before_expiry: maybe(fc.integer({ min: -5, max: 500 })) }, { requiredKeys: [] }),
          ),
          action: maybe(fc.record({ action_type: maybe(fc.constantFrom('AutoRenew', 'EmailContacts', 'x')) })),
        }),
        { maxLength: 2 },
      ),
    ),
    issuer: maybe(fc.record({ name: maybe(fc.constantFrom('Self', 'Unknown', 'unknown', 'nobody', '')) }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);

const request = fc.oneof(
  fc.record({ method: fc.constant('POST'), path: fc.constant('/certificates/fz/create'), body: fc.oneof(fc.record({ policy }), junk) }),
  fc.record({ method: fc.constant('PATCH'), path: fc.constant('/certificates/fz/policy'), body: fc.oneof(policy, junk) }),
  fc.record({
    method: fc.constant('POST'),
    path: fc.constant('/certificates/fzi/import'),
    body: fc.oneof(
      fc.record({
        value: fc.oneof(fc.base64String({ maxLength: 200 }), fc.constant('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'), fc.string()),
        pwd: maybe(fc.string()),
      }),
      junk,
    ),
  }),
  fc.record({
    method: fc.constant('POST'),
    path: fc.constant('/certificates/fz/pending/merge'),
    body: fc.oneof(fc.record({ x5c: maybe(fc.array(fc.oneof(fc.base64String({ maxLength: 100 }), fc.string()))) }), junk),
  }),
  fc.record({ method: fc.constant('PATCH'), path: fc.constant('/certificates/fz/pending'), body: fc.oneof(fc.record({ cancellation_requested: maybe(fc.boolean()) }), junk) }),
  fc.record({
    method: fc.constantFrom('PATCH'),
    path: fc.constantFrom('/certificates/fz/', '/certificates/fz/' + '0'.repeat(32)),
    body: fc.oneof(fc.record({ attributes: junk, tags: junk, policy: maybe(policy) }), junk),
  }),
  fc.record({
    method: fc.constantFrom('PUT', 'PATCH'),
    path: fc.constantFrom('/certificates/issuers/iss', '/certificates/issuers/Self', '/certificates/issuers/bad%20name'),
    body: fc.oneof(fc.record({ provider: maybe(fc.string()), credentials: junk, org_details: junk }), junk),
  }),
  fc.record({
    method: fc.constant('PUT'),
    path: fc.constant('/certificates/contacts'),
    body: fc.oneof(fc.record({ contacts: maybe(fc.array(fc.record({ email: maybe(fc.string()), name: junk }), { maxLength: 2 })) }), junk),
  }),
  fc.record({
    method: fc.constant('POST'),
    path: fc.constant('/certificates/restore'),
    body: fc.oneof(fc.record({ value: maybe(fc.base64String({ maxLength: 100 })) }), junk),
  }),
  fc.record({
    method: fc.constantFrom('GET', 'DELETE', 'POST'),
    path: fc.constantFrom(
      '/certificates/fz/pending',
      '/certificates/fz/backup',
      '/deletedcertificates/fz',
      '/deletedcertificates/fz/recover',
      '/certificates/fz',
      '/certificates?includePending=true&x=1',
      '/certificates/fz/versions',
    ),
    body: fc.constant(undefined),
  }),
);

describe('certificate routes under random input', () => {
  it('never answer 5xx; errors are Key Vault error bodies', async () => {
    emulator.settings.certificateCreateMs = 0;
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path, body }) => {
        const separator = path.includes('?') ? '&' : '?';
        const res = await rawRequest(emulator, {
          method,
          path: `${path}${separator}api-version=2025-07-01`,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        expect(res.status, `${method} ${path} ${JSON.stringify(body)} → ${res.text}`).toBeLessThan(500);
        if (res.status >= 400) {
          const error = (res.json() as { error?: { code?: string; message?: string } }).error;
          expect(typeof error?.code).toBe('string');
          expect(typeof error?.message).toBe('string');
        }
        // Keep the name free for the next run: a finished or pending create would 409 later ones.
        if (path.endsWith('/create') && res.status === 202) {
          await rawRequest(emulator, { method: 'DELETE', path: `/certificates/fz/pending?api-version=2025-07-01`, headers: { authorization: `Bearer ${token}` } });
        }
      }),
      { numRuns: 400 },
    );
  });
});
