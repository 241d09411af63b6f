// Wire shapes of the certificate routes over raw HTTPS: what the SDK tests cannot see because the
// client maps or drops fields.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../../local/keyvault/index.js';
import { issueSelfSigned } from '../../../../local/keyvault/crypto/issue.js';
import { generateCertificateKey } from '../../../../local/keyvault/crypto/keys.js';
import { writePkcs12 } from '../../../../local/keyvault/crypto/pkcs12.js';
import { normalizePolicy } from '../../../../local/keyvault/crypto/policy.js';
import { rawRequest, startTestEmulator, tokenFor, type RawResponse } from '../helpers.js';

let emulator: RunningEmulator;
let token: string;
const API = 'api-version=2025-07-01';
const DEFAULT_POLICY = { key_props: {}, secret_props: {}, x509_props: { subject: 'cn=MyCert', sans: {} }, issuer: { name: 'Self' }, attributes: {} };

beforeAll(async () => {
  emulator = await startTestEmulator();
  token = await tokenFor(emulator);
});

afterAll(async () => {
  await emulator?.stop();
});

function call(method: string, path: string, body?: unknown): Promise<RawResponse> {
  return rawRequest(emulator, {
    method,
    path: `${path}${path.includes('?') ? '&' : '?'}${API}`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const json = (res: RawResponse) => res.json() as Record<string, unknown>;

async function externalCertificate() {
  const policy = normalizePolicy({ x509_props: { subject: 'CN=external.example' } }, Math.floor(Date.now() / 1000));
  const key = await generateCertificateKey(policy.key_props);
  return { key, der: await issueSelfSigned(policy, key, new Date()) };
}
const base = () => `https://127.0.0.1:${emulator.port}`;

describe('certificate wire format', () => {
  it('create → 202 operation with Location; pending-only certificate; completed operation and bundle', async () => {
    emulator.settings.certificateCreateMs = 60_000;
    const created = await call('POST', '/certificates/wire/create', { policy: DEFAULT_POLICY, attributes: {} });
    expect(created.status).toBe(202);
    expect(created.headers['location']).toMatch(new RegExp(`^${base()}/certificates/wire/pending\\?api-version=2025-07-01&request_id=[0-9a-f]{32}$`));
    const op = json(created);
    // preserveCertOrder: sent by the service from api-version 7.6 on, false unless the request set it.
    expect(Object.keys(op).sort()).toEqual(['cancellation_requested', 'csr', 'id', 'issuer', 'preserveCertOrder', 'request_id', 'status', 'status_details'].sort());
    expect(op['preserveCertOrder']).toBe(false);
    expect(op).toMatchObject({ id: `${base()}/certificates/wire/pending`, issuer: { name: 'Self' }, cancellation_requested: false, status: 'inProgress' });
    expect(Buffer.from(op['csr'] as string, 'base64')[0]).toBe(0x30);

    const pendingOnly = json(await call('GET', '/certificates/wire/'));
    expect(pendingOnly['id']).toMatch(new RegExp(`^${base()}/certificates/wire/[0-9a-f]{32}$`));
    expect(pendingOnly).toMatchObject({ attributes: { enabled: false }, pending: { id: `${base()}/certificates/wire/pending` } });
    for (const absent of ['kid', 'sid', 'x5t', 'cer']) expect(pendingOnly[absent]).toBeUndefined();
    const version = (pendingOnly['id'] as string).split('/').pop();
    expect(json(await call('GET', `/certificates/wire/${version}`))['id']).toBe(pendingOnly['id']);

    emulator.settings.certificateCreateMs = 0;
    await call('DELETE', '/certificates/wire/pending');
    await call('POST', '/certificates/wire/create', { policy: DEFAULT_POLICY });
    const done = json(await call('GET', '/certificates/wire/pending'));
    expect(done).toMatchObject({ status: 'completed', target: `${base()}/certificates/wire` });
    expect(done['status_details']).toBeUndefined();

    const bundle = json(await call('GET', '/certificates/wire/'));
    const v = (bundle['id'] as string).split('/').pop();
    expect(bundle).toMatchObject({
      kid: `${base()}/keys/wire/${v}`,
      sid: `${base()}/secrets/wire/${v}`,
      contentType: 'application/x-pkcs12',
      attributes: { enabled: true, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 },
      pending: { id: `${base()}/certificates/wire/pending` },
      policy: {
        id: `${base()}/certificates/wire/policy`,
        key_props: { exportable: true, kty: 'RSA', key_size: 2048, reuse_key: false },
        secret_props: { contentType: 'application/x-pkcs12' },
        x509_props: { subject: 'cn=MyCert', sans: {}, validity_months: 12, basic_constraints: { ca: false } },
        lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' } }],
        issuer: { name: 'Self' },
        attributes: { enabled: true },
      },
    });
    expect(bundle['x5t']).toMatch(/^[A-Za-z0-9_-]{27}$/);
    expect(bundle['cer']).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const attributes = bundle['attributes'] as Record<string, number>;
    expect(attributes['exp']! - attributes['nbf']!).toBe(365 * 86400 + 600);

    const list = json(await call('GET', '/certificates'));
    expect(list['value']).toContainEqual(expect.objectContaining({ id: `${base()}/certificates/wire`, x5t: bundle['x5t'] }));
    expect(list['nextLink']).toBeNull();
  });

  it("an operation in progress: create and import refused, an issuer's operation cannot be merged, request_id filters", async () => {
    // The service's answers, as documented in "Monitor and manage certificate creation":
    // https://github.com/MicrosoftDocs/azure-docs/blob/0238029c59871596cf21f541770252611aef7311/articles/key-vault/create-certificate-scenarios.md
    emulator.settings.certificateCreateMs = 60_000;
    const created = await call('POST', '/certificates/busy-op/create', { policy: DEFAULT_POLICY });
    const requestId = json(created)['request_id'] as string;
    const busy = {
      error: { code: 'Forbidden', message: "A new key vault certificate can not be created or imported while a pending key vault certificate's status is inProgress." },
    };
    const again = await call('POST', '/certificates/busy-op/create', { policy: DEFAULT_POLICY });
    expect(again.status).toBe(409);
    expect(json(again)).toEqual(busy);
    const { key, der } = await externalCertificate();
    const imported = await call('POST', '/certificates/busy-op/import', { value: writePkcs12(key, [der]).toString('base64') });
    expect(imported.status).toBe(409);
    expect(json(imported)).toEqual(busy);
    const merged = await call('POST', '/certificates/busy-op/pending/merge', { x5c: [der.toString('base64')] });
    expect(merged.status).toBe(403);
    expect(json(merged)).toEqual({ error: { code: 'Forbidden', message: 'Merge is forbidden on pending object created with issuer : Self while it is in progess.' } });
    expect((await call('GET', `/certificates/busy-op/pending?request_id=${requestId}`)).status).toBe(200);
    expect(json(await call('GET', `/certificates/busy-op/pending?request_id=${'0'.repeat(32)}`))).toMatchObject({ error: { code: 'PendingCertificateNotFound' } });

    // Once it has finished, an import replaces it: there is no pending operation any more.
    emulator.settings.certificateCreateMs = 0;
    await call('DELETE', '/certificates/busy-op/pending');
    await call('POST', '/certificates/busy-op/create', { policy: DEFAULT_POLICY });
    expect(json(await call('GET', '/certificates/busy-op/pending'))).toMatchObject({ status: 'completed' });
    expect((await call('POST', '/certificates/busy-op/import', { value: writePkcs12(key, [der]).toString('base64') })).status).toBe(200);
    expect(json(await call('GET', '/certificates/busy-op/pending'))).toMatchObject({ error: { code: 'PendingCertificateNotFound' } });
  });

  it('errors: codes and messages', async () => {
    expect(json(await call('GET', '/certificates/nothing/pending'))).toEqual({
      error: { code: 'PendingCertificateNotFound', message: 'Pending Certificate not found: nothing' },
    });
    // A name that was never deleted gets the plain not-found text ("Deleted … not found" is only
    // the answer while a delete is being carried out, see test/local/keyvault/timing.test.ts).
    expect(json(await call('GET', '/deletedcertificates/nothing'))).toEqual({
      error: {
        code: 'CertificateNotFound',
        message:
          'A certificate with (name/id) nothing was not found in this key vault. If you recently deleted this certificate you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182',
      },
    });
    const missing = await call('GET', '/certificates/nothing/');
    expect(missing.status).toBe(404);
    expect(json(missing)['error']).toMatchObject({ code: 'CertificateNotFound' });
    const bad = await call('POST', '/certificates/bad/create', { policy: { ...DEFAULT_POLICY, key_props: { key_size: 1000 } } });
    expect(bad.status).toBe(400);
    expect(json(bad)['error']).toMatchObject({ code: 'BadParameter', message: expect.stringContaining('key_size 1000') });
    expect((await call('POST', '/certificates/nopolicy/create', {})).status).toBe(400);
    expect((await call('POST', '/certificates/bad%20name/create', { policy: DEFAULT_POLICY })).status).toBe(400);

    await call('POST', '/certificates/gone/create', { policy: DEFAULT_POLICY });
    await call('GET', '/certificates/gone/pending');
    const deleted = json(await call('DELETE', '/certificates/gone'));
    expect(deleted).toMatchObject({ recoveryId: `${base()}/deletedcertificates/gone` });
    expect(typeof deleted['deletedDate']).toBe('number');
    const conflict = await call('POST', '/certificates/gone/create', { policy: DEFAULT_POLICY });
    expect(conflict.status).toBe(409);
    expect(json(conflict)).toEqual({
      error: {
        code: 'Conflict',
        message:
          'Certificate gone is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the certificate can only be recovered or purged.',
        innererror: { code: 'ObjectIsDeletedButRecoverable' },
      },
    });
    expect((await call('DELETE', '/deletedcertificates/gone')).status).toBe(204);
    expect((await call('GET', '/secrets/gone/')).status).toBe(404);
  });

  it('issuers never echo pwd; contacts round-trip', async () => {
    const issuer = json(
      await call('PUT', '/certificates/issuers/wire-ca', { provider: 'Test', credentials: { account_id: 'a', pwd: 'secret' }, attributes: { enabled: true } }),
    );
    expect(issuer).toMatchObject({ id: `${base()}/certificates/issuers/wire-ca`, provider: 'Test', credentials: { account_id: 'a' }, attributes: { enabled: true } });
    expect(JSON.stringify(issuer)).not.toContain('secret');
    expect(JSON.stringify(json(await call('GET', '/certificates/issuers/wire-ca')))).not.toContain('secret');
    expect(json(await call('GET', '/certificates/issuers'))).toEqual({ value: [{ id: `${base()}/certificates/issuers/wire-ca`, provider: 'Test' }], nextLink: null });

    const contacts = { contacts: [{ email: 'a@example.com', name: 'A', phone: '1' }] };
    expect(json(await call('PUT', '/certificates/contacts', contacts))).toEqual({ id: `${base()}/certificates/contacts`, ...contacts });
    expect(json(await call('DELETE', '/certificates/contacts'))).toEqual({ id: `${base()}/certificates/contacts`, ...contacts });
    expect((await call('GET', '/certificates/contacts')).status).toBe(404);
  });
});
