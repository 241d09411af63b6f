// Certificate policy: parse what a client sent (any sub-object may be `{}`, missing or null),
// fill the gaps the way the real service does (the defaults it reports back for the SDKs' default
// policy), and reject what it rejects.
import { z } from 'zod';
import { CertificateInputError } from './errors.js';
import { parseSubject } from './subject.js';
import {
  ACTION_TYPES,
  CONTENT_TYPES,
  EC_CURVES,
  KEY_TYPES,
  KEY_USAGES,
  RSA_KEY_SIZES,
  SELF_ISSUER,
  UNKNOWN_ISSUER,
  type ActionType,
  type CertificatePolicy,
  type CurveName,
  type KeyProperties,
  type KeyUsage,
  type LifetimeAction,
  type SubjectAlternativeNames,
} from './policyTypes.js';

export const DEFAULT_RSA_KEY_SIZE = 2048;
export const DEFAULT_CURVE: CurveName = 'P-256';
export const DEFAULT_VALIDITY_MONTHS = 12;
export const MAX_VALIDITY_MONTHS = 1200;
export const DEFAULT_LIFETIME_PERCENTAGE = 80;
/** `days_before_expiry` may be at most validity_months × this (https://learn.microsoft.com/javascript/api/@azure/keyvault-certificates/lifetimeaction). */
export const DAYS_BEFORE_EXPIRY_PER_MONTH = 27;
export const DEFAULT_EKUS = ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'];
export const DEFAULT_KEY_USAGE: KeyUsage[] = ['digitalSignature', 'keyEncipherment'];

const CURVE_KEY_SIZE: Record<CurveName, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521, 'P-256K': 256 };
const OID_PATTERN = /^[0-2](\.(0|[1-9]\d*))+$/;

const stringList = z.array(z.string()).nullish();
const wirePolicySchema = z.object({
  id: z.string().nullish(),
  key_props: z
    .object({
      exportable: z.boolean().nullish(),
      kty: z.string().nullish(),
      key_size: z.number().int().nullish(),
      reuse_key: z.boolean().nullish(),
      crv: z.string().nullish(),
    })
    .nullish(),
  secret_props: z.object({ contentType: z.string().nullish() }).nullish(),
  x509_props: z
    .object({
      subject: z.string().nullish(),
      sans: z.object({ emails: stringList, dns_names: stringList, upns: stringList, uris: stringList, ipAddresses: stringList }).nullish(),
      ekus: stringList,
      key_usage: stringList,
      validity_months: z.number().int().nullish(),
      basic_constraints: z.object({ ca: z.boolean().nullish() }).nullish(),
    })
    .nullish(),
  lifetime_actions: z
    .array(
      z.object({
        trigger: z.object({ lifetime_percentage: z.number().int().nullish(), days_before_expiry: z.number().int().nullish() }).nullish(),
        action: z.object({ action_type: z.string().nullish() }).nullish(),
      }),
    )
    .nullish(),
  issuer: z.object({ name: z.string().nullish(), cty: z.string().nullish(), cert_transparency: z.boolean().nullish() }).nullish(),
  attributes: z.object({ enabled: z.boolean().nullish(), created: z.number().nullish(), updated: z.number().nullish() }).nullish(),
});

/** A policy as a client may send it: every field optional, `null` meaning absent. */
export type WireCertificatePolicy = z.infer<typeof wirePolicySchema>;

// The service names the policy member and ends with CRLF, e.g. `Property policy.x509_props has
// invalid value. Invalid X.500 distinguished name\r\n` (recorded in
// https://github.com/Azure/azure-sdk-assets/blob/11a73707a25d2832582c61fb956881b0954a0ca2/net/sdk/keyvault/Azure.Security.KeyVault.Certificates/tests/SessionRecords/CertificateClientLiveTests/StartCreateCertificateError.json).
// Only that reason and the lifetime action one are the service's; the other reasons are ours.
export const INVALID_SUBJECT_REASON = 'Invalid X.500 distinguished name';
// The whole message for more than one lifetime action: https://github.com/Azure/azure-sdk-for-net/issues/15633
export const TOO_MANY_ACTIONS_MESSAGE = 'At most one action is allowed';

/** `member` is the wire member (`key_props`, `x509_props`, …); none for a policy that is no object. */
function invalid(member: string | undefined, reason: string): CertificateInputError {
  return new CertificateInputError(`Property ${member ? `policy.${member}` : 'policy'} has invalid value. ${reason}\r\n`);
}

/** Type-checks untrusted JSON; throws a `CertificateInputError` naming the first bad field. */
export function parseWirePolicy(body: unknown): WireCertificatePolicy {
  if (body === undefined || body === null) return {};
  const parsed = wirePolicySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const member = issue?.path[0] === undefined ? undefined : String(issue.path[0]);
    const path = issue ? issue.path.join('.') || 'policy' : 'policy';
    throw invalid(member, `${path}: ${issue?.message ?? 'invalid value'}`);
  }
  return parsed.data;
}

function pickCaseInsensitive<T extends string>(member: string, value: string, allowed: readonly T[], what: string): T {
  const found = allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
  if (!found) throw invalid(member, `${what} '${value}' is not supported; expected one of ${allowed.join(', ')}.`);
  return found;
}

function normalizeKeyProps(wire: WireCertificatePolicy['key_props']): KeyProperties {
  const sizeGiven = wire?.key_size ?? undefined;
  const crvGiven = wire?.crv ?? undefined;
  const kty = wire?.kty ? pickCaseInsensitive('key_props', wire.kty, KEY_TYPES, 'key_props.kty') : crvGiven ? 'EC' : 'RSA';
  const common = { exportable: wire?.exportable ?? true, kty, reuse_key: wire?.reuse_key ?? false };
  if (kty === 'RSA' || kty === 'RSA-HSM') {
    if (crvGiven) throw invalid('key_props', `key_props.crv cannot be set for key type ${kty}.`);
    const size = sizeGiven ?? DEFAULT_RSA_KEY_SIZE;
    if (!(RSA_KEY_SIZES as readonly number[]).includes(size)) {
      throw invalid('key_props', `key_props.key_size ${size} is not supported for RSA; expected one of ${RSA_KEY_SIZES.join(', ')}.`);
    }
    return { ...common, key_size: size };
  }
  let crv: CurveName;
  if (crvGiven) {
    crv = pickCaseInsensitive('key_props', crvGiven, EC_CURVES, 'key_props.crv');
  } else if (sizeGiven !== undefined) {
    const bySize = (Object.keys(CURVE_KEY_SIZE) as CurveName[]).find((c) => CURVE_KEY_SIZE[c] === sizeGiven);
    if (!bySize) throw invalid('key_props', `key_props.key_size ${sizeGiven} does not name an elliptic curve (256, 384, 521).`);
    crv = bySize;
  } else {
    crv = DEFAULT_CURVE;
  }
  if (sizeGiven !== undefined && sizeGiven !== CURVE_KEY_SIZE[crv]) {
    throw invalid('key_props', `key_props.key_size ${sizeGiven} does not match curve ${crv}.`);
  }
  return { ...common, key_size: CURVE_KEY_SIZE[crv], crv };
}

function normalizeSans(wire: NonNullable<WireCertificatePolicy['x509_props']>['sans']): SubjectAlternativeNames | undefined {
  if (!wire) return undefined;
  const sans: SubjectAlternativeNames = {};
  for (const kind of ['emails', 'dns_names', 'upns', 'uris', 'ipAddresses'] as const) {
    const values = wire[kind];
    if (values && values.length > 0) sans[kind] = [...values];
  }
  return sans;
}

function validateSans(sans: SubjectAlternativeNames | undefined): void {
  for (const email of [...(sans?.emails ?? []), ...(sans?.upns ?? [])]) {
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw invalid('x509_props', `'${email}' is not a valid e-mail address or UPN.`);
  }
  for (const dns of sans?.dns_names ?? []) {
    if (!/^(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/.test(dns)) {
      throw invalid('x509_props', `'${dns}' is not a valid DNS name.`);
    }
  }
  for (const uri of sans?.uris ?? []) {
    if (!URL.canParse(uri)) throw invalid('x509_props', `'${uri}' is not a valid URI.`);
  }
  for (const ip of sans?.ipAddresses ?? []) {
    if (!isIpAddress(ip)) throw invalid('x509_props', `'${ip}' is not a valid IP address.`);
  }
}

function validateSubject(subject: string): void {
  try {
    parseSubject(subject);
  } catch {
    throw invalid('x509_props', INVALID_SUBJECT_REASON);
  }
}

function isIpAddress(value: string): boolean {
  if (/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(value)) return true;
  return value.includes(':') && URL.canParse(`http://[${value}]/`);
}

function normalizeLifetimeActions(wire: WireCertificatePolicy['lifetime_actions'], issuerName: string, validityMonths: number): LifetimeAction[] {
  if (wire === undefined || wire === null) {
    const action_type: ActionType = issuerName === UNKNOWN_ISSUER ? 'EmailContacts' : 'AutoRenew';
    return [{ trigger: { lifetime_percentage: DEFAULT_LIFETIME_PERCENTAGE }, action: { action_type } }];
  }
  if (wire.length > 1) throw new CertificateInputError(TOO_MANY_ACTIONS_MESSAGE);
  return wire.map((item) => {
    const percentage = item.trigger?.lifetime_percentage ?? undefined;
    const days = item.trigger?.days_before_expiry ?? undefined;
    if (percentage !== undefined && days !== undefined) {
      throw invalid('lifetime_actions', 'A lifetime action trigger takes either lifetime_percentage or days_before_expiry, not both.');
    }
    if (percentage === undefined && days === undefined) {
      throw invalid('lifetime_actions', 'A lifetime action trigger needs lifetime_percentage or days_before_expiry.');
    }
    if (percentage !== undefined && (percentage < 1 || percentage > 99)) {
      throw invalid('lifetime_actions', `lifetime_percentage must be between 1 and 99 (got ${percentage}).`);
    }
    const maxDays = validityMonths * DAYS_BEFORE_EXPIRY_PER_MONTH;
    if (days !== undefined && (days < 1 || days > maxDays)) {
      throw invalid('lifetime_actions', `days_before_expiry must be between 1 and ${maxDays} for a ${validityMonths}-month validity (got ${days}).`);
    }
    if (!item.action?.action_type) throw invalid('lifetime_actions', 'A lifetime action needs action.action_type.');
    const action_type = pickCaseInsensitive('lifetime_actions', item.action.action_type, ACTION_TYPES, 'action_type');
    const trigger = percentage !== undefined ? { lifetime_percentage: percentage } : { days_before_expiry: days };
    return { trigger, action: { action_type } };
  });
}

/** Canonical casing for the built-in issuers; custom issuer names are kept as sent. */
export function canonicalIssuerName(name: string): string {
  for (const builtIn of [SELF_ISSUER, UNKNOWN_ISSUER]) {
    if (builtIn.toLowerCase() === name.toLowerCase()) return builtIn;
  }
  return name;
}

/**
 * Fills every gap of a client's policy like the real service and validates it.
 * `now` (Unix seconds) stamps `attributes.created/updated` unless the input carries them.
 */
export function normalizePolicy(input: WireCertificatePolicy | unknown, now: number): CertificatePolicy {
  const wire = parseWirePolicy(input);
  const key_props = normalizeKeyProps(wire.key_props);
  const contentType = wire.secret_props?.contentType
    ? pickCaseInsensitive('secret_props', wire.secret_props.contentType, CONTENT_TYPES, 'secret_props.contentType')
    : CONTENT_TYPES[0];

  const x = wire.x509_props;
  const subject = x?.subject ?? undefined;
  if (subject !== undefined && subject.trim() !== '') validateSubject(subject);
  const sans = normalizeSans(x?.sans);
  validateSans(sans);
  const hasSan = Object.values(sans ?? {}).some((values) => values.length > 0);
  if ((subject === undefined || subject.trim() === '') && !hasSan) {
    throw invalid('x509_props', 'x509_props needs a subject or at least one subject alternative name.');
  }
  const ekus = x?.ekus ? [...x.ekus] : [...DEFAULT_EKUS];
  for (const eku of ekus) if (!OID_PATTERN.test(eku)) throw invalid('x509_props', `EKU '${eku}' is not an object identifier.`);
  const key_usage = x?.key_usage ? x.key_usage.map((usage) => pickCaseInsensitive('x509_props', usage, KEY_USAGES, 'key_usage')) : [...DEFAULT_KEY_USAGE];
  const validity_months = x?.validity_months ?? DEFAULT_VALIDITY_MONTHS;
  if (validity_months < 1 || validity_months > MAX_VALIDITY_MONTHS) {
    throw invalid('x509_props', `validity_months must be between 1 and ${MAX_VALIDITY_MONTHS} (got ${validity_months}).`);
  }

  const issuer: CertificatePolicy['issuer'] = { name: canonicalIssuerName(wire.issuer?.name?.trim() || SELF_ISSUER) };
  if (wire.issuer?.cty) issuer.cty = wire.issuer.cty;
  if (wire.issuer?.cert_transparency !== undefined && wire.issuer.cert_transparency !== null) {
    issuer.cert_transparency = wire.issuer.cert_transparency;
  }

  return {
    key_props,
    secret_props: { contentType },
    x509_props: {
      ...(subject !== undefined && subject.trim() !== '' ? { subject } : {}),
      ...(sans ? { sans } : {}),
      ekus,
      key_usage: [...new Set(key_usage)],
      validity_months,
      basic_constraints: { ca: x?.basic_constraints?.ca ?? false },
    },
    lifetime_actions: normalizeLifetimeActions(wire.lifetime_actions, issuer.name, validity_months),
    issuer,
    attributes: {
      enabled: wire.attributes?.enabled ?? true,
      created: wire.attributes?.created ?? now,
      updated: wire.attributes?.updated ?? now,
    },
  };
}

/**
 * PATCH /certificates/{n}/policy: fields present in the patch replace the current ones
 * (sub-object by sub-object, `{}` changing nothing); the result is validated as a whole.
 */
export function updatePolicy(current: CertificatePolicy, patchInput: unknown, now: number): CertificatePolicy {
  const patch = parseWirePolicy(patchInput);
  const defined = <T extends object>(value: T | null | undefined): Partial<T> =>
    Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
  const patchedX509 = defined(patch.x509_props);
  const merged: WireCertificatePolicy = {
    key_props: { ...current.key_props, ...defined(patch.key_props) },
    secret_props: { ...current.secret_props, ...defined(patch.secret_props) },
    x509_props: {
      ...current.x509_props,
      ...patchedX509,
      sans: patch.x509_props?.sans ? patch.x509_props.sans : current.x509_props.sans,
    },
    lifetime_actions: patch.lifetime_actions ?? current.lifetime_actions,
    issuer: { ...current.issuer, ...defined(patch.issuer) },
    attributes: { ...current.attributes, ...defined(patch.attributes), created: current.attributes.created, updated: now },
  };
  // Changing the key type drops the size/curve that belonged to the old type.
  if (patch.key_props?.kty && merged.key_props && patch.key_props.kty !== current.key_props.kty) {
    merged.key_props = { ...merged.key_props, key_size: patch.key_props.key_size ?? null, crv: patch.key_props.crv ?? null };
  }
  return normalizePolicy(merged, now);
}
