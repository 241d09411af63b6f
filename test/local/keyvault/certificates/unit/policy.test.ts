import { describe, expect, it } from 'vitest';
import { CertificateInputError } from '../../../../../local/keyvault/crypto/errors.js';
import { normalizePolicy, updatePolicy } from '../../../../../local/keyvault/crypto/policy.js';

const NOW = 1_700_000_000;
const INVALID_SUBJECT = /^Property policy\.x509_props has invalid value\. Invalid X\.500 distinguished name\r\n$/;
// What the JS SDK's `DefaultCertificatePolicy` puts on the wire.
const SDK_DEFAULT = { key_props: {}, secret_props: {}, x509_props: { subject: 'cn=MyCert', sans: {} }, issuer: { name: 'Self' }, attributes: {} };

function rejects(input: unknown, pattern: RegExp): void {
  expect(() => normalizePolicy(input, NOW)).toThrow(CertificateInputError);
  expect(() => normalizePolicy(input, NOW)).toThrow(pattern);
}

describe('normalizePolicy defaults', () => {
  it('fills the SDK default policy like the real service', () => {
    expect(normalizePolicy(SDK_DEFAULT, NOW)).toEqual({
      key_props: { exportable: true, kty: 'RSA', key_size: 2048, reuse_key: false },
      secret_props: { contentType: 'application/x-pkcs12' },
      x509_props: {
        subject: 'cn=MyCert',
        sans: {},
        ekus: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
        key_usage: ['digitalSignature', 'keyEncipherment'],
        validity_months: 12,
        basic_constraints: { ca: false },
      },
      lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' } }],
      issuer: { name: 'Self' },
      attributes: { enabled: true, created: NOW, updated: NOW },
    });
  });

  it('uses EmailContacts for the Unknown issuer, whatever its casing', () => {
    const policy = normalizePolicy({ ...SDK_DEFAULT, issuer: { name: 'unknown' } }, NOW);
    expect(policy.issuer.name).toBe('Unknown');
    expect(policy.lifetime_actions).toEqual([{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'EmailContacts' } }]);
  });

  it('treats missing, null and {} sub-objects alike and defaults the issuer to Self', () => {
    const policy = normalizePolicy({ key_props: null, x509_props: { subject: 'CN=a', sans: null } }, NOW);
    expect(policy.key_props.kty).toBe('RSA');
    expect(policy.issuer.name).toBe('Self');
    expect(policy.x509_props.sans).toBeUndefined();
  });

  it('defaults EC keys to P-256 and reports the curve size', () => {
    expect(normalizePolicy({ ...SDK_DEFAULT, key_props: { kty: 'EC' } }, NOW).key_props).toEqual({
      exportable: true,
      kty: 'EC',
      key_size: 256,
      reuse_key: false,
      crv: 'P-256',
    });
  });

  it.each([
    [
      { kty: 'EC', crv: 'p-384' },
      { kty: 'EC', crv: 'P-384', key_size: 384 },
    ],
    [{ crv: 'P-521' }, { kty: 'EC', crv: 'P-521', key_size: 521 }],
    [
      { kty: 'EC', key_size: 384 },
      { kty: 'EC', crv: 'P-384', key_size: 384 },
    ],
    [
      { kty: 'EC-HSM', crv: 'P-256K' },
      { kty: 'EC-HSM', crv: 'P-256K', key_size: 256 },
    ],
    [
      { kty: 'RSA', key_size: 3072 },
      { kty: 'RSA', key_size: 3072 },
    ],
    [
      { key_size: 4096, exportable: false, reuse_key: true },
      { kty: 'RSA', key_size: 4096, exportable: false, reuse_key: true },
    ],
  ])('key_props %j', (keyProps, expected) => {
    expect(normalizePolicy({ ...SDK_DEFAULT, key_props: keyProps }, NOW).key_props).toMatchObject(expected);
  });

  it('keeps explicit values and drops empty SAN lists', () => {
    const policy = normalizePolicy(
      {
        secret_props: { contentType: 'application/x-pem-file' },
        x509_props: {
          sans: { dns_names: ['a.example', '*.b.example'], emails: [], ipAddresses: ['10.0.0.1', '::1'] },
          ekus: ['1.3.6.1.5.5.7.3.3'],
          key_usage: ['digitalSignature'],
          validity_months: 24,
          basic_constraints: { ca: true },
        },
        lifetime_actions: [{ trigger: { days_before_expiry: 30 }, action: { action_type: 'emailcontacts' } }],
        issuer: { name: 'Self', cty: 'OV-SSL', cert_transparency: false },
        attributes: { enabled: false },
      },
      NOW,
    );
    expect(policy.secret_props.contentType).toBe('application/x-pem-file');
    expect(policy.x509_props).toEqual({
      sans: { dns_names: ['a.example', '*.b.example'], ipAddresses: ['10.0.0.1', '::1'] },
      ekus: ['1.3.6.1.5.5.7.3.3'],
      key_usage: ['digitalSignature'],
      validity_months: 24,
      basic_constraints: { ca: true },
    });
    expect(policy.lifetime_actions).toEqual([{ trigger: { days_before_expiry: 30 }, action: { action_type: 'EmailContacts' } }]);
    expect(policy.issuer).toEqual({ name: 'Self', cty: 'OV-SSL', cert_transparency: false });
    expect(policy.attributes.enabled).toBe(false);
  });

  it('keeps an explicitly empty lifetime action list', () => {
    expect(normalizePolicy({ ...SDK_DEFAULT, lifetime_actions: [] }, NOW).lifetime_actions).toEqual([]);
  });
});

describe('normalizePolicy validation', () => {
  it.each([
    [{ key_props: { kty: 'RSA', key_size: 1024 } }, /key_size 1024 is not supported for RSA/],
    [{ key_props: { kty: 'RSA', crv: 'P-256' } }, /crv cannot be set/],
    [{ key_props: { kty: 'EC', crv: 'P-224' } }, /crv 'P-224' is not supported/],
    [{ key_props: { kty: 'EC', crv: 'P-256', key_size: 384 } }, /does not match curve P-256/],
    [{ key_props: { kty: 'EC', key_size: 2048 } }, /does not name an elliptic curve/],
    [{ key_props: { kty: 'oct' } }, /kty 'oct' is not supported/],
    [{ key_props: { key_size: '2048' } }, /key_props\.key_size/],
    [{ secret_props: { contentType: 'text/plain' } }, /contentType 'text\/plain'/],
    [{ x509_props: { validity_months: 0 } }, /validity_months must be between 1/],
    [{ x509_props: { key_usage: ['signEverything'] } }, /key_usage 'signEverything'/],
    [{ x509_props: { ekus: ['serverAuth'] } }, /EKU 'serverAuth'/],
    [{ lifetime_actions: [{ trigger: { lifetime_percentage: 0 }, action: { action_type: 'AutoRenew' } }] }, /between 1 and 99/],
    [{ lifetime_actions: [{ trigger: { lifetime_percentage: 100 }, action: { action_type: 'AutoRenew' } }] }, /between 1 and 99/],
    [{ lifetime_actions: [{ trigger: { days_before_expiry: 325 }, action: { action_type: 'AutoRenew' } }] }, /between 1 and 324/],
    [{ lifetime_actions: [{ trigger: { days_before_expiry: 0 }, action: { action_type: 'AutoRenew' } }] }, /between 1 and 324/],
    [{ lifetime_actions: [{ trigger: { lifetime_percentage: 50, days_before_expiry: 3 }, action: { action_type: 'AutoRenew' } }] }, /not both/],
    [{ lifetime_actions: [{ trigger: {}, action: { action_type: 'AutoRenew' } }] }, /needs lifetime_percentage or days_before_expiry/],
    [{ lifetime_actions: [{ trigger: { lifetime_percentage: 50 }, action: { action_type: 'Renew' } }] }, /action_type 'Renew'/],
    [{ lifetime_actions: [{ trigger: { lifetime_percentage: 50 } }] }, /needs action\.action_type/],
    [
      {
        lifetime_actions: [
          { trigger: { lifetime_percentage: 50 }, action: { action_type: 'AutoRenew' } },
          { trigger: { days_before_expiry: 5 }, action: { action_type: 'EmailContacts' } },
        ],
      },
      /^At most one action is allowed$/,
    ],
  ])('%j is a BadParameter', (overrides, message) => {
    rejects({ ...SDK_DEFAULT, ...overrides, x509_props: { subject: 'CN=x', ...(overrides as { x509_props?: object }).x509_props } }, message);
  });

  it.each([
    [{ subject: '' }, /needs a subject or at least one subject alternative name/],
    [{ sans: {} }, /needs a subject/],
    [{ subject: 'no-equals-sign' }, INVALID_SUBJECT],
    [{ subject: 'XYZ=foo' }, INVALID_SUBJECT],
    [{ subject: 'CN=a, C=USA' }, INVALID_SUBJECT],
    [{ sans: { dns_names: ['bad name'] } }, /not a valid DNS name/],
    [{ sans: { emails: ['nope'] } }, /not a valid e-mail/],
    [{ sans: { upns: ['nope'] } }, /not a valid e-mail address or UPN/],
    [{ sans: { uris: ['not a uri'] } }, /not a valid URI/],
    [{ sans: { ipAddresses: ['300.1.1.1'] } }, /not a valid IP address/],
  ])('x509_props %j is a BadParameter', (x509Props, message) => {
    rejects({ ...SDK_DEFAULT, x509_props: x509Props }, message);
  });

  it('accepts a SAN-only policy', () => {
    const policy = normalizePolicy({ x509_props: { sans: { upns: ['user@contoso.com'] } } }, NOW);
    expect(policy.x509_props.subject).toBeUndefined();
  });

  it('rejects non-objects', () => {
    rejects('a string', /^Property policy has invalid value\. policy: .+\r\n$/);
    rejects({ x509_props: [] }, /^Property policy\.x509_props has invalid value\. x509_props: .+\r\n$/);
  });

  it.each([
    [{ key_props: { kty: 'RSA', key_size: 1024 } }, 'key_props', 'key_props.key_size 1024 is not supported for RSA; expected one of 2048, 3072, 4096.'],
    [
      { secret_props: { contentType: 'text/plain' } },
      'secret_props',
      "secret_props.contentType 'text/plain' is not supported; expected one of application/x-pkcs12, application/x-pem-file.",
    ],
    [{ x509_props: { subject: 'CN=x', validity_months: 0 } }, 'x509_props', 'validity_months must be between 1 and 1200 (got 0).'],
    [
      { lifetime_actions: [{ trigger: { lifetime_percentage: 100 }, action: { action_type: 'AutoRenew' } }] },
      'lifetime_actions',
      'lifetime_percentage must be between 1 and 99 (got 100).',
    ],
  ])('%j: the service format names the wire member and ends with CRLF', (overrides, member, reason) => {
    expect(() => normalizePolicy({ ...SDK_DEFAULT, ...overrides }, NOW)).toThrow(new CertificateInputError(`Property policy.${member} has invalid value. ${reason}\r\n`));
  });

  it('a type error names its member too', () => {
    rejects({ ...SDK_DEFAULT, issuer: { name: 5 } }, /^Property policy\.issuer has invalid value\. issuer\.name: .+\r\n$/);
    rejects({ ...SDK_DEFAULT, key_props: { key_size: '2048' } }, /^Property policy\.key_props has invalid value\. key_props\.key_size: /);
  });

  it('a subject that is no X.500 name gets the service text', () => {
    expect(() => normalizePolicy({ ...SDK_DEFAULT, x509_props: { subject: 'not a name' } }, NOW)).toThrow(
      new CertificateInputError('Property policy.x509_props has invalid value. Invalid X.500 distinguished name\r\n'),
    );
  });
});

describe('updatePolicy', () => {
  const current = normalizePolicy(SDK_DEFAULT, NOW);

  it('changes only what the patch carries and stamps updated', () => {
    const updated = updatePolicy(
      current,
      { key_props: {}, secret_props: { contentType: 'application/x-pem-file' }, x509_props: { validity_months: 6 }, issuer: {}, attributes: {} },
      NOW + 60,
    );
    expect(updated.secret_props.contentType).toBe('application/x-pem-file');
    expect(updated.x509_props.validity_months).toBe(6);
    expect(updated.x509_props.subject).toBe('cn=MyCert');
    expect(updated.key_props).toEqual(current.key_props);
    expect(updated.attributes).toEqual({ enabled: true, created: NOW, updated: NOW + 60 });
  });

  it('switching RSA to EC drops the RSA key size', () => {
    const updated = updatePolicy(current, { key_props: { kty: 'EC', crv: 'P-384' } }, NOW);
    expect(updated.key_props).toMatchObject({ kty: 'EC', crv: 'P-384', key_size: 384 });
    expect(updatePolicy(current, { key_props: { kty: 'EC' } }, NOW).key_props).toMatchObject({ crv: 'P-256', key_size: 256 });
  });

  it('replaces lifetime actions and validates the result', () => {
    const updated = updatePolicy(current, { lifetime_actions: [{ trigger: { days_before_expiry: 10 }, action: { action_type: 'EmailContacts' } }] }, NOW);
    expect(updated.lifetime_actions).toEqual([{ trigger: { days_before_expiry: 10 }, action: { action_type: 'EmailContacts' } }]);
    expect(() =>
      updatePolicy(current, { x509_props: { validity_months: 1 }, lifetime_actions: [{ trigger: { days_before_expiry: 40 }, action: { action_type: 'AutoRenew' } }] }, NOW),
    ).toThrow(/between 1 and 27/);
  });
});
