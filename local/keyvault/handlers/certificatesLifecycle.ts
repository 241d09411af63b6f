// Certificate reads, updates, import, lists, soft delete / recover / purge (cascading to the
// backing key and secret) and backup / restore.
import { z } from 'zod';
import type { HandlerResult, RequestContext } from '../context.js';
import { errors } from '../errors.js';
import { newVersion, objectId } from '../ids.js';
import { BACKUP_MAX_VERSIONS } from '../limits.js';
import {
  assertNameUsable,
  decodeBackup,
  deletedFields,
  encodeBackup,
  getDeleted,
  getLive,
  listable,
  purge,
  recover,
  requireDeleted,
  softDelete,
  stateOf,
} from '../objects.js';
import { nextLink, readPageRequest, versionsPage } from '../paging.js';
import type { StoredObject, StoreTransaction } from '../store/types.js';
import { attributesSchema, parseBody, tagsSchema } from '../validation.js';
import { derivePolicy, parseImportValue } from '../crypto/importCertificate.js';
import { normalizePolicy, updatePolicy as applyPolicyUpdate } from '../crypto/policy.js';
import { loadSettled, settle } from './certificatesCreate.js';
import {
  assertSecretNameFree,
  CERTIFICATE_KIND,
  certificateBundle,
  certificateItem,
  deletedCertificateBundle,
  latestBundle,
  storeCertificateVersion,
  toCertificateError,
  updateBackingVersions,
  wirePolicy,
  type Certificate,
  type CertificateData,
  type CertificateMeta,
} from './certificatesModel.js';
import { KEY_KIND } from './keys.js';
import { SECRET_KIND } from './secrets.js';

const BACKING_KINDS = [KEY_KIND, SECRET_KIND] as const;

function notFound(name: string, version = ''): never {
  throw errors.notFound('Certificate', version ? `${name}/${version}` : name);
}

export async function getCertificate(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const version = ctx.params['version'] ?? '';
  const cert = await loadSettled(ctx, name);
  const body = cert && latestBundle(ctx, cert, version);
  if (!body) notFound(name, version);
  return { body };
}

const updateBody = z.object({ attributes: attributesSchema, tags: tagsSchema, policy: z.unknown().optional() });

export async function updateCertificate(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const versionId = ctx.params['version'] ?? '';
  const body = parseBody(ctx, updateBody);
  const now = ctx.now();
  return ctx.store.transaction(ctx.vault, (tx) => {
    const found = getLive<CertificateData, CertificateMeta>(tx, CERTIFICATE_KIND, name, now);
    const cert = found && settle(tx, found, now);
    const version = cert && (versionId === '' ? cert.versions.at(-1) : cert.versions.find((v) => v.version === versionId));
    if (!cert?.meta || !version) notFound(name, versionId);
    const enabled = body.attributes?.enabled ?? undefined;
    const tags = body.tags ?? undefined;
    // nbf/exp mirror the X.509 validity, so only enabled and tags can change.
    const updated = {
      ...version,
      attributes: { ...version.attributes, ...(enabled !== undefined ? { enabled } : {}), updated: now },
      ...(tags ? { tags } : {}),
    };
    let meta = cert.meta;
    if (body.policy !== undefined && body.policy !== null) {
      try {
        meta = { ...meta, policy: applyPolicyUpdate(meta.policy, body.policy, now) };
      } catch (error) {
        throw toCertificateError(error);
      }
    }
    const next: Certificate = { ...cert, meta, versions: cert.versions.map((v) => (v.version === version.version ? updated : v)) };
    tx.put(next);
    updateBackingVersions(tx, cert.name, version.version, { ...(enabled !== undefined ? { enabled } : {}), ...(tags ? { tags } : {}) }, now);
    return { body: certificateBundle(ctx, next, updated) };
  });
}

export async function getCertificatePolicy(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const cert = ctx.store.get<CertificateData, CertificateMeta>(ctx.vault, CERTIFICATE_KIND, name);
  if (!cert?.meta || stateOf(cert) !== 'live') notFound(name);
  return { body: wirePolicy(ctx, cert.name, cert.meta.policy) };
}

export async function updateCertificatePolicy(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const patch = ctx.body();
  const now = ctx.now();
  return ctx.store.transaction(ctx.vault, (tx) => {
    const cert = getLive<CertificateData, CertificateMeta>(tx, CERTIFICATE_KIND, name, now);
    if (!cert?.meta) notFound(name);
    let policy;
    try {
      policy = applyPolicyUpdate(cert.meta.policy, patch, now);
    } catch (error) {
      throw toCertificateError(error);
    }
    tx.put({ ...cert, meta: { ...cert.meta, policy } });
    return { body: wirePolicy(ctx, cert.name, policy) };
  });
}

const importBody = z.object({
  value: z.string(),
  pwd: z.string().nullish(),
  policy: z.unknown().optional(),
  attributes: z.object({ enabled: z.boolean().nullish() }).passthrough().nullish(),
  tags: tagsSchema,
  preserveCertOrder: z.boolean().nullish(),
});

export async function importCertificate(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const body = parseBody(ctx, importBody);
  const now = ctx.now();
  let imported;
  let policy;
  try {
    imported = parseImportValue(body.value, body.pwd ?? undefined, body.preserveCertOrder ?? false);
    // A client policy keeps its own content type; without one the value's format is kept
    // (the real service only knows PKCS#12 there and refuses PEM without a PEM policy: a deliberate, lenient deviation).
    policy =
      body.policy !== undefined && body.policy !== null && !isEmptyPolicy(body.policy)
        ? normalizePolicy(withDefaultContentType(body.policy, imported.format), now)
        : derivePolicy(imported, now);
  } catch (error) {
    throw toCertificateError(error);
  }
  return ctx.store.transaction(ctx.vault, (tx) => {
    assertNameUsable(tx, CERTIFICATE_KIND, 'Certificate', name, now);
    assertSecretNameFree(tx, name, now);
    const found = getLive<CertificateData, CertificateMeta>(tx, CERTIFICATE_KIND, name, now);
    const live = found && settle(tx, found, now);
    if (live?.meta?.pending?.status === 'inProgress') throw errors.pendingCertificateExists();
    // An import replaces a finished pending operation, as a create does.
    const order = body.preserveCertOrder ? { preserveCertOrder: true } : {};
    const cert: Certificate = live ? { ...live, meta: { policy, ...order } } : { kind: CERTIFICATE_KIND, name, versions: [], meta: { policy, ...order } };
    const next = storeCertificateVersion(tx, cert, {
      version: newVersion(),
      privateKey: imported.privateKey,
      chain: imported.chain,
      policy,
      enabled: body.attributes?.enabled ?? true,
      ...(body.tags ? { tags: body.tags } : {}),
      created: false,
      now,
    });
    return { body: certificateBundle(ctx, next, next.versions.at(-1)!) };
  });
}

function isEmptyPolicy(policy: unknown): boolean {
  return (
    typeof policy === 'object' &&
    policy !== null &&
    Object.values(policy).every((v) => v === undefined || v === null || (typeof v === 'object' && Object.keys(v).length === 0))
  );
}

function withDefaultContentType(policy: unknown, format: string): unknown {
  if (typeof policy !== 'object' || policy === null) return policy;
  const p = policy as { secret_props?: { contentType?: string } | null };
  if (p.secret_props?.contentType) return policy;
  return { ...p, secret_props: { ...(p.secret_props ?? {}), contentType: format } };
}

function includePending(ctx: RequestContext): boolean {
  return ctx.query['includePending']?.toLowerCase() === 'true';
}

async function settleDue(ctx: RequestContext, items: Certificate[]): Promise<Certificate[]> {
  const due = items.filter((c) => c.meta?.pending?.status === 'inProgress');
  if (due.length === 0) return items;
  const settled = await ctx.store.transaction(ctx.vault, (tx) =>
    due.map((c) => {
      const live = getLive<CertificateData, CertificateMeta>(tx, CERTIFICATE_KIND, c.name, ctx.now());
      return live ? settle(tx, live, ctx.now()) : c;
    }),
  );
  return items.map((c) => settled.find((s) => s.name === c.name) ?? c);
}

export async function listCertificates(ctx: RequestContext): Promise<HandlerResult> {
  const page = readPageRequest(ctx);
  const pending = includePending(ctx);
  const result = ctx.store.list<CertificateData, CertificateMeta>(ctx.vault, CERTIFICATE_KIND, { deleted: false, after: page.after, limit: page.limit });
  const items = await settleDue(ctx, listable(result.items, false, ctx.now()));
  const value = items.flatMap((cert) => {
    const latest = cert.versions.at(-1);
    if (!latest && !(pending && cert.meta?.pending)) return [];
    return [certificateItem(ctx, cert, latest, false)];
  });
  const extra: Record<string, string> = pending ? { includePending: 'true' } : {};
  return { body: { value, nextLink: nextLink(ctx, '/certificates', page, result.continuation, extra) } };
}

export async function listCertificateVersions(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const page = readPageRequest(ctx);
  const cert = await loadSettled(ctx, name);
  if (!cert) return { body: { value: [], nextLink: null } };
  return { body: versionsPage(ctx, `/certificates/${cert.name}/versions`, page, cert.versions, (v) => certificateItem(ctx, cert, v, true)) };
}

/** The certificate's backing key and secret objects (live or deleted, per `deleted`). */
function backing(tx: StoreTransaction, name: string, now: number, deleted: boolean): StoredObject<unknown, unknown>[] {
  return BACKING_KINDS.flatMap((kind) => {
    const object = deleted ? getDeleted<unknown, unknown>(tx, kind, name, now) : getLive<unknown, unknown>(tx, kind, name, now);
    return object && object.versions.some((v) => v.managed) ? [object] : [];
  });
}

export async function deleteCertificate(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const now = ctx.now();
  return ctx.store.transaction(ctx.vault, (tx) => {
    const cert = getLive<CertificateData, CertificateMeta>(tx, CERTIFICATE_KIND, name, now);
    if (!cert) notFound(name);
    for (const object of backing(tx, cert.name, now, false)) softDelete(tx, object, ctx, now);
    return { body: deletedCertificateBundle(ctx, softDelete(tx, cert, ctx, now)) };
  });
}

export async function getDeletedCertificate(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const cert = await ctx.store.transaction(ctx.vault, (tx) => requireDeleted<CertificateData, CertificateMeta>(tx, CERTIFICATE_KIND, 'Certificate', name, ctx.now(), 'read'));
  return { body: deletedCertificateBundle(ctx, cert) };
}

export async function listDeletedCertificates(ctx: RequestContext): Promise<HandlerResult> {
  const page = readPageRequest(ctx);
  const pending = includePending(ctx);
  const result = ctx.store.list<CertificateData, CertificateMeta>(ctx.vault, CERTIFICATE_KIND, { deleted: true, after: page.after, limit: page.limit });
  const value = listable(result.items, true, ctx.now()).flatMap((cert) => {
    const latest = cert.versions.at(-1);
    if (!latest && !pending) return [];
    return [{ ...certificateItem(ctx, cert, latest, false), ...deletedFields(ctx, 'deletedcertificates', cert) }];
  });
  const extra: Record<string, string> = pending ? { includePending: 'true' } : {};
  return { body: { value, nextLink: nextLink(ctx, '/deletedcertificates', page, result.continuation, extra) } };
}

export async function recoverDeletedCertificate(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const now = ctx.now();
  return ctx.store.transaction(ctx.vault, (tx) => {
    const cert = requireDeleted<CertificateData, CertificateMeta>(tx, CERTIFICATE_KIND, 'Certificate', name, now, 'recover');
    for (const object of backing(tx, cert.name, now, true)) recover(tx, object, ctx);
    const live = recover(tx, cert, ctx);
    return { body: latestBundle(ctx, live, '') ?? { id: deletedCertificateBundle(ctx, live)['id'] } };
  });
}

export async function purgeDeletedCertificate(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const now = ctx.now();
  return ctx.store.transaction(ctx.vault, (tx) => {
    const cert = requireDeleted<CertificateData, CertificateMeta>(tx, CERTIFICATE_KIND, 'Certificate', name, now, 'purge');
    const backingObjects = backing(tx, cert.name, now, true);
    purge(tx, cert, ctx);
    for (const object of backingObjects) purge(tx, object, ctx);
    return {};
  });
}

export async function backupCertificate(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const objects = await ctx.store.transaction(ctx.vault, (tx) => {
    const cert = getLive<CertificateData, CertificateMeta>(tx, CERTIFICATE_KIND, name, ctx.now());
    if (!cert) notFound(name);
    return [cert, ...backing(tx, cert.name, ctx.now(), false)];
  });
  if ((objects[0]?.versions.length ?? 0) > BACKUP_MAX_VERSIONS) {
    throw errors.badParameter(`Certificate ${name} has more than ${BACKUP_MAX_VERSIONS} versions and cannot be backed up.`);
  }
  return { body: { value: encodeBackup(objects) } };
}

const restoreBody = z.object({ value: z.string().min(1) });

export async function restoreCertificate(ctx: RequestContext): Promise<HandlerResult> {
  const body = parseBody(ctx, restoreBody);
  const objects = decodeBackup(body.value, CERTIFICATE_KIND);
  const cert = objects[0] as Certificate;
  if (!cert.meta?.policy || !cert.versions.every((v) => Array.isArray(v.data?.chain) && v.data.chain.length > 0)) throw errors.badBackup();
  const now = ctx.now();
  return ctx.store.transaction(ctx.vault, (tx) => {
    assertNameUsable(tx, CERTIFICATE_KIND, 'Certificate', cert.name, now);
    if (getLive(tx, CERTIFICATE_KIND, cert.name, now)) {
      throw errors.restoreConflict('Certificate', objectId(ctx, 'certificates', cert.name, cert.versions.at(-1)?.version));
    }
    assertSecretNameFree(tx, cert.name, now);
    for (const object of objects) {
      if (object.kind !== CERTIFICATE_KIND && !(BACKING_KINDS as readonly string[]).includes(object.kind)) throw errors.badBackup();
      tx.put(object);
    }
    return { body: latestBundle(ctx, cert, '') ?? { id: deletedCertificateBundle(ctx, cert)['id'] } };
  });
}
