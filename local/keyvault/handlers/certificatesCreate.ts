// Certificate creation as a long-running operation: POST create answers 202 with an `inProgress`
// operation; a `Self` operation completes once the timing model's `certificateCreateMs` has passed
// (checked lazily whenever the certificate is read), other issuers wait for a merge. A requested
// cancellation takes as long to take effect, and then the operation ends `cancelled` instead.
// Keys, CSR and the self-signed certificate are made before the store transaction, which is
// synchronous; completion then only moves prepared material into cert + key + secret versions.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { HandlerResult, RequestContext } from '../context.js';
import { errors } from '../errors.js';
import { newVersion } from '../ids.js';
import { assertNameUsable, getLive } from '../objects.js';
import type { StoreTransaction } from '../store/types.js';
import { parseBody, tagsSchema } from '../validation.js';
import { createCsr, issueSelfSigned, validityWindow } from '../crypto/issue.js';
import { exportPrivateKeyDer, generateCertificateKey, importPrivateKeyDer, keyMatchesProps } from '../crypto/keys.js';
import { mergeChain } from '../crypto/merge.js';
import { normalizePolicy } from '../crypto/policy.js';
import { SELF_ISSUER, UNKNOWN_ISSUER, type CertificatePolicy } from '../crypto/policyTypes.js';
import { FAILING_PROVIDER, ISSUER_KIND, type IssuerMeta } from './certificatesIssuers.js';
import {
  assertSecretNameFree,
  CERTIFICATE_KIND,
  certificateBundle,
  latestPrivateKey,
  operationBody,
  pendingId,
  storeCertificateVersion,
  toCertificateError,
  type Certificate,
  type CertificateData,
  type CertificateMeta,
  type PendingOperation,
} from './certificatesModel.js';
import { KEY_KIND, type KeyData } from './keys.js';

const createBody = z.object({
  policy: z.unknown().optional(),
  attributes: z.object({ enabled: z.boolean().nullish() }).passthrough().nullish(),
  tags: tagsSchema,
  preserveCertOrder: z.boolean().nullish(),
});

const cancelBody = z.object({ cancellation_requested: z.boolean() });

const mergeBody = z.object({
  // Checked by mergeChain, which answers with the service's messages.
  x5c: z.unknown(),
  attributes: z.object({ enabled: z.boolean().nullish() }).passthrough().nullish(),
  tags: tagsSchema,
});

function policyForCreate(ctx: RequestContext, rawPolicy: unknown, existing: Certificate | undefined, now: number): CertificatePolicy {
  try {
    let policy: CertificatePolicy;
    if (rawPolicy !== undefined && rawPolicy !== null) {
      policy = normalizePolicy(rawPolicy, now);
      if (existing?.meta) policy.attributes.created = existing.meta.policy.attributes.created;
    } else if (existing?.meta) {
      // A soft-deleted certificate's policy only gets as far as the 409 in the transaction.
      policy = existing.meta.policy;
    } else {
      throw errors.invalidProperty('policy');
    }
    const issuer = policy.issuer.name;
    if (issuer !== SELF_ISSUER && issuer !== UNKNOWN_ISSUER && !ctx.store.get(ctx.vault, ISSUER_KIND, issuer)) {
      throw errors.badParameter(`Issuer ${issuer} is not Self, Unknown or an issuer registered in this vault.`);
    }
    return policy;
  } catch (error) {
    throw toCertificateError(error);
  }
}

function issuerFailure(ctx: RequestContext, policy: CertificatePolicy): Pick<PendingOperation, 'failure'> {
  const issuer = ctx.store.get<unknown, IssuerMeta>(ctx.vault, ISSUER_KIND, policy.issuer.name);
  if (issuer?.meta?.provider.toLowerCase() !== FAILING_PROVIDER.toLowerCase()) return {};
  // The service's code for an issuer's refusal is "Request rejected" (with the provider's reason).
  return { failure: { code: 'Request rejected', message: `The call to ${issuer.meta.provider} failed: issuer ${issuer.name} rejected the certificate request.` } };
}

async function operationKey(ctx: RequestContext, name: string, policy: CertificatePolicy) {
  if (policy.key_props.reuse_key) {
    const key = ctx.store.get<KeyData, unknown>(ctx.vault, KEY_KIND, name);
    const previous = key && !key.deleted ? await ctx.store.transaction(ctx.vault, (tx) => latestPrivateKey(tx, name, ctx.now())) : undefined;
    if (previous && keyMatchesProps(previous, policy.key_props)) return previous;
  }
  return generateCertificateKey(policy.key_props);
}

export async function createCertificate(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const body = parseBody(ctx, createBody);
  const now = ctx.now();
  const nowMs = Date.now();
  const existing = ctx.store.get<CertificateData, CertificateMeta>(ctx.vault, CERTIFICATE_KIND, name);
  const policy = policyForCreate(ctx, body.policy, existing, now);

  const privateKey = await operationKey(ctx, name, policy);
  const csr = await createCsr(policy, privateKey);
  const issued = policy.issuer.name === SELF_ISSUER ? await issueSelfSigned(policy, privateKey, new Date(nowMs)) : undefined;
  const window = validityWindow(policy.x509_props.validity_months, new Date(nowMs));
  const op: PendingOperation = {
    version: newVersion(),
    requestId: randomBytes(16).toString('hex'),
    issuer: policy.issuer,
    csr: csr.toString('base64'),
    status: 'inProgress',
    cancellationRequested: false,
    privateKey: exportPrivateKeyDer(privateKey).toString('base64'),
    ...(issued ? { issued: issued.toString('base64') } : {}),
    readyAtMs: nowMs + ctx.settings.certificateCreateMs,
    ...issuerFailure(ctx, policy),
    enabled: body.attributes?.enabled ?? true,
    ...(body.tags ? { tags: body.tags } : {}),
    created: now,
    nbf: Math.floor(window.notBefore.getTime() / 1000),
    exp: Math.floor(window.notAfter.getTime() / 1000),
  };

  return ctx.store.transaction(ctx.vault, (tx) => {
    assertNameUsable(tx, CERTIFICATE_KIND, 'Certificate', name, now);
    assertSecretNameFree(tx, name, now);
    const found = getLive<CertificateData, CertificateMeta>(tx, CERTIFICATE_KIND, name, now);
    const live = found && settle(tx, found, now);
    if (live?.meta?.pending?.status === 'inProgress') throw errors.pendingCertificateExists();
    const meta: CertificateMeta = { policy, pending: op, ...(body.preserveCertOrder ? { preserveCertOrder: true } : {}) };
    const cert: Certificate = live ? { ...live, meta } : { kind: CERTIFICATE_KIND, name, versions: [], meta };
    tx.put(cert);
    return {
      body: operationBody(ctx, cert, op),
      headers: { location: `${pendingId(ctx, cert.name)}?api-version=${ctx.apiVersion}&request_id=${op.requestId}`, 'retry-after': '10' },
    };
  });
}

/**
 * Moves a due operation forward: cancelled when cancellation was asked, completed (certificate,
 * key and secret stored) when its self-signed certificate is ready. Returns the current object.
 */
export function settle(tx: StoreTransaction, cert: Certificate, now: number, nowMs = Date.now()): Certificate {
  const op = cert.meta?.pending;
  if (!cert.meta || !op || op.status !== 'inProgress') return cert;
  if (op.cancelAtMs !== undefined) {
    if (nowMs < op.cancelAtMs) return cert;
    const next: Certificate = { ...cert, meta: { ...cert.meta, pending: { ...op, status: 'cancelled', privateKey: '' } } };
    tx.put(next);
    return next;
  }
  if (op.failure && nowMs >= op.readyAtMs) {
    const next: Certificate = { ...cert, meta: { ...cert.meta, pending: { ...op, status: 'failed', error: op.failure, privateKey: '' } } };
    tx.put(next);
    return next;
  }
  if (!op.issued || nowMs < op.readyAtMs) return cert;
  const { privateKey, issued, ...rest } = op;
  const completed: Certificate = { ...cert, meta: { ...cert.meta, pending: { ...rest, privateKey: '', status: 'completed' } } };
  return storeCertificateVersion(tx, completed, {
    version: op.version,
    privateKey: importPrivateKeyDer(Buffer.from(privateKey, 'base64')),
    chain: [Buffer.from(issued, 'base64')],
    policy: cert.meta.policy,
    enabled: op.enabled,
    ...(op.tags ? { tags: op.tags } : {}),
    created: true,
    now,
  });
}

/** The live certificate with any due operation settled, or undefined. */
export async function loadSettled(ctx: RequestContext, name: string): Promise<Certificate | undefined> {
  return ctx.store.transaction(ctx.vault, (tx) => {
    const cert = getLive<CertificateData, CertificateMeta>(tx, CERTIFICATE_KIND, name, ctx.now());
    return cert && settle(tx, cert, ctx.now());
  });
}

export async function getCertificateOperation(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const cert = await loadSettled(ctx, name);
  const op = cert?.meta?.pending;
  // `request_id` (from the create's Location) filters: another operation's id finds nothing.
  const requestId = ctx.query['request_id'];
  if (!cert || !op || (requestId !== undefined && requestId !== op.requestId)) throw errors.pendingCertificateNotFound(name);
  return { body: operationBody(ctx, cert, op) };
}

export async function cancelCertificateOperation(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const body = parseBody(ctx, cancelBody);
  return ctx.store.transaction(ctx.vault, (tx) => {
    // Settled first: an operation whose time is up has completed, and cannot be cancelled.
    const found = getLive<CertificateData, CertificateMeta>(tx, CERTIFICATE_KIND, name, ctx.now());
    const cert = found && settle(tx, found, ctx.now());
    const op = cert?.meta?.pending;
    if (!cert?.meta || !op) throw errors.pendingCertificateNotFound(name);
    if (op.status !== 'inProgress') throw errors.pendingNotInProgress();
    if (!body.cancellation_requested || op.cancellationRequested) return { body: operationBody(ctx, cert, op) };
    const next: PendingOperation = { ...op, cancellationRequested: true, cancelAtMs: Date.now() + ctx.settings.certificateCreateMs };
    tx.put({ ...cert, meta: { ...cert.meta, pending: next } });
    return { body: operationBody(ctx, cert, next) };
  });
}

export async function deleteCertificateOperation(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  return ctx.store.transaction(ctx.vault, (tx) => {
    const found = getLive<CertificateData, CertificateMeta>(tx, CERTIFICATE_KIND, name, ctx.now());
    const cert = found && settle(tx, found, ctx.now());
    const op = cert?.meta?.pending;
    if (!cert?.meta || !op) throw errors.pendingCertificateNotFound(name);
    // A certificate that never got a version has nothing left once its operation is gone.
    if (cert.versions.length === 0) tx.remove(CERTIFICATE_KIND, cert.name);
    else tx.put({ ...cert, meta: { policy: cert.meta.policy } });
    return { body: operationBody(ctx, cert, op) };
  });
}

export async function mergeCertificate(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const body = parseBody(ctx, mergeBody);
  const now = ctx.now();
  return ctx.store.transaction(ctx.vault, (tx) => {
    const cert = getLive<CertificateData, CertificateMeta>(tx, CERTIFICATE_KIND, name, now);
    const op = cert?.meta?.pending;
    if (!cert?.meta || !op) throw errors.pendingCertificateNotFound(name);
    if (op.status === 'inProgress' && op.issuer.name !== UNKNOWN_ISSUER) throw errors.mergeWhileIssuing(op.issuer.name);
    if (op.status !== 'inProgress' || op.issued || !op.privateKey) throw errors.notMergeable(cert.name);
    const privateKey = importPrivateKeyDer(Buffer.from(op.privateKey, 'base64'));
    let chain: Buffer[];
    try {
      chain = mergeChain(body.x5c, privateKey, cert.meta.preserveCertOrder ?? false);
    } catch (error) {
      throw toCertificateError(error);
    }
    const completed: Certificate = { ...cert, meta: { ...cert.meta, pending: { ...op, privateKey: '', status: 'completed' } } };
    const tags = body.tags ?? op.tags;
    const next = storeCertificateVersion(tx, completed, {
      version: op.version,
      privateKey,
      chain,
      policy: cert.meta.policy,
      enabled: body.attributes?.enabled ?? op.enabled,
      ...(tags ? { tags } : {}),
      created: true,
      now,
    });
    return { body: certificateBundle(ctx, next, next.versions.at(-1)!) };
  });
}
