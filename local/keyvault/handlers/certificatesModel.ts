// Certificates as stored and as sent: the stored shapes, the wire renderings
// (bundle, pending-only bundle, item, policy, operation), and the one synchronous step that turns
// an issued certificate into a cert + key + secret version sharing one version string.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { RequestContext } from '../context.js';
import { errors } from '../errors.js';
import { objectId } from '../ids.js';
import { deletedFields, getDeleted, getLive, wireAttributes } from '../objects.js';
import type { StoredObject, StoredVersion, StoreTransaction, VersionAttributes } from '../store/types.js';
import { certificateMatchesKey, cerOf, thumbprint, validityOf } from '../crypto/certificateInfo.js';
import { CertificateInputError } from '../crypto/errors.js';
import { publicJwk } from '../crypto/jwk.js';
import { secretPem, chainPem } from '../crypto/pem.js';
import { writePkcs12 } from '../crypto/pkcs12.js';
import { PEM_CONTENT_TYPE, UNKNOWN_ISSUER, type CertificatePolicy } from '../crypto/policyTypes.js';
import { API_VERSIONS } from '../limits.js';
import { KEY_KIND, type KeyData } from './keys.js';
import { SECRET_KIND, type SecretData } from './secrets.js';

export const CERTIFICATE_KIND = 'certificate';

export type OperationStatus = 'inProgress' | 'completed' | 'failed' | 'cancelled';

/** A create's pending operation; key material stays here until completion. */
export interface PendingOperation {
  /** Version the certificate, key and secret get when the operation completes. */
  version: string;
  requestId: string;
  issuer: CertificatePolicy['issuer'];
  /** base64 DER PKCS#10. */
  csr: string;
  status: OperationStatus;
  cancellationRequested: boolean;
  /** Unix ms when a requested cancellation takes effect. */
  cancelAtMs?: number;
  error?: { code: string; message: string };
  /** PKCS#8 DER (base64) of the operation's key. */
  privateKey: string;
  /** Self-issued certificate prepared at create time (base64 DER); absent for merge flows. */
  issued?: string;
  /** Unix ms when a Self-issued operation completes (or a failing issuer's fails). */
  readyAtMs: number;
  /** Set for issuers with the failing test provider: the error the operation ends with. */
  failure?: { code: string; message: string };
  enabled: boolean;
  tags?: Record<string, string>;
  created: number;
  /** Planned validity, shown on the pending-only certificate. */
  nbf?: number;
  exp?: number;
}

export interface CertificateData {
  /** base64 DER of every certificate, in the order the secret holds them (leaf first unless
   * the client asked to preserve its order). */
  chain: string[];
  /** Index of the leaf in `chain` when it is not 0. */
  leafIndex?: number;
  /** Made by create (shows `pending: {id}`), not by import. */
  created?: boolean;
}

export interface CertificateMeta {
  policy: CertificatePolicy;
  pending?: PendingOperation;
  /** Keep chains in the order the client sent them (merge/import) instead of leaf first. */
  preserveCertOrder?: boolean;
}

export type Certificate = StoredObject<CertificateData, CertificateMeta>;
export type CertificateVersion = StoredVersion<CertificateData>;

export function toCertificateError(error: unknown): unknown {
  return error instanceof CertificateInputError ? errors.badParameter(error.message) : error;
}

export function wirePolicy(ctx: RequestContext, name: string, policy: CertificatePolicy): Record<string, unknown> {
  return { id: `${objectId(ctx, 'certificates', name)}/policy`, ...policy };
}

function leafDer(version: CertificateVersion): Buffer {
  return Buffer.from(version.data.chain[version.data.leafIndex ?? 0] ?? '', 'base64');
}

function tagsOf(tags: Record<string, string> | undefined): Record<string, unknown> {
  return tags && Object.keys(tags).length > 0 ? { tags } : {};
}

export function certificateBundle(ctx: RequestContext, cert: Certificate, version: CertificateVersion): Record<string, unknown> {
  const der = leafDer(version);
  return {
    id: objectId(ctx, 'certificates', cert.name, version.version),
    kid: objectId(ctx, 'keys', cert.name, version.version),
    sid: objectId(ctx, 'secrets', cert.name, version.version),
    x5t: thumbprint(der),
    cer: cerOf(der),
    contentType: cert.meta?.policy.secret_props.contentType,
    attributes: wireAttributes(version.attributes, ctx.policy),
    ...(cert.meta ? { policy: wirePolicy(ctx, cert.name, cert.meta.policy) } : {}),
    ...tagsOf(version.tags),
    ...(version.data.created ? { pending: { id: pendingId(ctx, cert.name) } } : {}),
    ...preserveCertOrderField(ctx, cert.meta?.preserveCertOrder),
  };
}

/** A certificate whose first version is still being created: no kid/sid/x5t/cer, as the service
 * answers (the SDK's getCertificateOperation needs this 200). */
export function pendingOnlyBundle(ctx: RequestContext, cert: Certificate, op: PendingOperation): Record<string, unknown> {
  const attributes: VersionAttributes = { enabled: false, created: op.created, updated: op.created };
  if (op.nbf) attributes.nbf = op.nbf;
  if (op.exp) attributes.exp = op.exp;
  return {
    id: objectId(ctx, 'certificates', cert.name, op.version),
    attributes: wireAttributes(attributes, ctx.policy),
    ...(cert.meta ? { policy: wirePolicy(ctx, cert.name, cert.meta.policy) } : {}),
    ...tagsOf(op.tags),
    pending: { id: pendingId(ctx, cert.name) },
    ...preserveCertOrderField(ctx, cert.meta?.preserveCertOrder),
  };
}

/** GET /certificates/{n}/[v]: the version asked for, or the pending-only shape. */
export function latestBundle(ctx: RequestContext, cert: Certificate, versionId: string): Record<string, unknown> | undefined {
  const op = cert.meta?.pending;
  if (versionId === '') {
    const latest = cert.versions.at(-1);
    if (latest) return certificateBundle(ctx, cert, latest);
    return op ? pendingOnlyBundle(ctx, cert, op) : undefined;
  }
  const version = cert.versions.find((v) => v.version === versionId);
  if (version) return certificateBundle(ctx, cert, version);
  return op && op.version === versionId ? pendingOnlyBundle(ctx, cert, op) : undefined;
}

/** CertificateItem; pending-only certificates have no x5t. */
export function certificateItem(ctx: RequestContext, cert: Certificate, version: CertificateVersion | undefined, versioned: boolean): Record<string, unknown> {
  if (!version) {
    const op = cert.meta?.pending;
    const attributes: VersionAttributes = { enabled: false, created: op?.created ?? 0, updated: op?.created ?? 0 };
    return { id: objectId(ctx, 'certificates', cert.name), attributes: wireAttributes(attributes, ctx.policy), ...tagsOf(op?.tags) };
  }
  return {
    id: objectId(ctx, 'certificates', cert.name, versioned ? version.version : undefined),
    x5t: thumbprint(leafDer(version)),
    attributes: wireAttributes(version.attributes, ctx.policy),
    ...tagsOf(version.tags),
  };
}

export function deletedCertificateBundle(ctx: RequestContext, cert: Certificate): Record<string, unknown> {
  const latest = cert.versions.at(-1);
  const op = cert.meta?.pending;
  const base = latest ? certificateBundle(ctx, cert, latest) : op ? pendingOnlyBundle(ctx, cert, op) : { id: objectId(ctx, 'certificates', cert.name) };
  return { ...deletedFields(ctx, 'deletedcertificates', cert), ...base };
}

export function pendingId(ctx: RequestContext, name: string): string {
  return `${objectId(ctx, 'certificates', name)}/pending`;
}

const IN_PROGRESS_DETAILS = 'Pending certificate created. Certificate request is in progress. This may take some time based on the issuer provider. Please check again later.';
const AWAITING_MERGE_DETAILS = 'Pending certificate created. Please Perform Merge to complete the request.';

/** The service's `status_details`: set while in progress (and kept when the issuer fails the
 * request); a completed or cancelled operation has none. */
function statusDetails(op: PendingOperation): Record<string, string> {
  if (op.status !== 'inProgress' && op.status !== 'failed') return {};
  return { status_details: op.issuer.name === UNKNOWN_ISSUER ? AWAITING_MERGE_DETAILS : IN_PROGRESS_DETAILS };
}

export function operationBody(ctx: RequestContext, cert: Certificate, op: PendingOperation): Record<string, unknown> {
  return {
    id: pendingId(ctx, cert.name),
    issuer: op.issuer,
    csr: op.csr,
    cancellation_requested: op.cancellationRequested,
    status: op.status,
    ...statusDetails(op),
    ...(op.status === 'completed' ? { target: objectId(ctx, 'certificates', cert.name) } : {}),
    ...(op.error ? { error: op.error } : {}),
    ...preserveCertOrderField(ctx, cert.meta?.preserveCertOrder),
    request_id: op.requestId,
  };
}

/** `preserveCertOrder` exists from api-version 7.6 on; the service then always sends it. */
export function preserveCertOrderField(ctx: RequestContext, preserveCertOrder: boolean | undefined): Record<string, boolean> {
  return API_VERSIONS.indexOf(ctx.apiVersion) >= API_VERSIONS.indexOf('7.6') ? { preserveCertOrder: preserveCertOrder ?? false } : {};
}

/** The private key of the latest backing key version (for `reuse_key`), if any. */
export function latestPrivateKey(tx: StoreTransaction, name: string, now: number): KeyObject | undefined {
  const key = getLive<KeyData, unknown>(tx, KEY_KIND, name, now)?.versions.at(-1);
  if (!key?.data.jwk || !('d' in key.data.jwk)) return undefined;
  const jwk = key.data.jwk.crv === 'P-256K' ? { ...key.data.jwk, crv: 'secp256k1' } : key.data.jwk;
  return createPrivateKey({ key: jwk, format: 'jwk' });
}

/** 409 when the name belongs to a standalone (non-certificate) secret, live or deleted. */
export function assertSecretNameFree(tx: StoreTransaction, name: string, now: number): void {
  const secret = getLive<SecretData, unknown>(tx, SECRET_KIND, name, now) ?? getDeleted<SecretData, unknown>(tx, SECRET_KIND, name, now);
  if (secret && !secret.versions.every((v) => v.managed)) throw errors.certificateNameInUse(secret.name);
}

export interface NewCertificateVersion {
  version: string;
  privateKey: KeyObject;
  /** DER, in the order the secret should hold them (the leaf is found by its key). */
  chain: Buffer[];
  policy: CertificatePolicy;
  enabled: boolean;
  tags?: Record<string, string>;
  created: boolean;
  now: number;
}

/** The secret value in the policy's format; without an exportable key, only the chain. */
export function secretValue(privateKey: KeyObject, chain: Buffer[], policy: CertificatePolicy): SecretData {
  const key = policy.key_props.exportable ? privateKey : undefined;
  if (policy.secret_props.contentType === PEM_CONTENT_TYPE) return { value: key ? secretPem(key, chain) : chainPem(chain) };
  return { value: writePkcs12(key, chain).toString('base64'), pemValue: key ? secretPem(key, chain) : chainPem(chain) };
}

/** Adds the certificate version and its managed key and secret versions (same version string). */
export function storeCertificateVersion(tx: StoreTransaction, cert: Certificate, input: NewCertificateVersion): Certificate {
  const leafIndex = Math.max(
    0,
    input.chain.findIndex((der) => certificateMatchesKey(der, input.privateKey)),
  );
  const { nbf, exp } = validityOf(input.chain[leafIndex] as Buffer);
  const attributes: VersionAttributes = { enabled: input.enabled, nbf, exp, created: input.now, updated: input.now };
  const tags = input.tags && Object.keys(input.tags).length > 0 ? { tags: input.tags } : {};
  const certVersion: CertificateVersion = {
    version: input.version,
    attributes,
    ...tags,
    data: {
      chain: input.chain.map((der) => der.toString('base64')),
      ...(leafIndex > 0 ? { leafIndex } : {}),
      ...(input.created ? { created: true } : {}),
    },
  };
  const next: Certificate = { ...cert, versions: [...cert.versions, certVersion] };
  tx.put(next);

  const exported = input.privateKey.export({ format: 'jwk' });
  // Key Vault names secp256k1 "P-256K"; node:crypto calls it "secp256k1".
  const jwk = exported.crv === 'secp256k1' ? { ...exported, crv: 'P-256K' } : exported;
  const keyData: KeyData = { jwk, keyOps: publicJwk(input.privateKey, input.policy.x509_props.key_usage).key_ops };
  const keyVersion: StoredVersion<KeyData> = {
    version: input.version,
    attributes: { ...attributes, exportable: input.policy.key_props.exportable },
    ...tags,
    managed: true,
    data: keyData,
  };
  const key = getLive<KeyData, unknown>(tx, KEY_KIND, cert.name, input.now);
  tx.put(key ? { ...key, versions: [...key.versions, keyVersion] } : { kind: KEY_KIND, name: cert.name, versions: [keyVersion] });

  const secretVersion: StoredVersion<SecretData> = {
    version: input.version,
    attributes,
    ...tags,
    contentType: input.policy.secret_props.contentType,
    managed: true,
    data: secretValue(input.privateKey, input.chain, input.policy),
  };
  const secret = getLive<SecretData, unknown>(tx, SECRET_KIND, cert.name, input.now);
  tx.put(secret ? { ...secret, versions: [...secret.versions, secretVersion] } : { kind: SECRET_KIND, name: cert.name, versions: [secretVersion] });
  return next;
}

/** Applies `change` to the cert, key and secret versions with `version` (enabled/tags follow the certificate). */
export function updateBackingVersions(
  tx: StoreTransaction,
  name: string,
  version: string,
  change: Partial<Pick<VersionAttributes, 'enabled'>> & { tags?: Record<string, string> },
  now: number,
): void {
  for (const kind of [KEY_KIND, SECRET_KIND]) {
    const object = getLive<unknown, unknown>(tx, kind, name, now);
    if (!object) continue;
    tx.put({
      ...object,
      versions: object.versions.map((v) =>
        v.version === version
          ? {
              ...v,
              attributes: { ...v.attributes, ...(change.enabled !== undefined ? { enabled: change.enabled } : {}), updated: now },
              ...(change.tags ? { tags: change.tags } : {}),
            }
          : v,
      ),
    });
  }
}
