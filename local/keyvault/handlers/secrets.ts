// Secrets: every operation @azure/keyvault-secrets 4.12 can call.
import { z } from 'zod';
import { DataActions } from '../auth/roles.js';
import type { HandlerResult, Operation, RequestContext } from '../context.js';
import { errors } from '../errors.js';
import { newVersion, objectId } from '../ids.js';
import { BACKUP_MAX_VERSIONS, SECRET_VALUE_MAX_CHARACTERS } from '../limits.js';
import {
  assertNameUsable,
  decodeBackup,
  deletedFields,
  encodeBackup,
  findVersion,
  getLive,
  listable,
  purge,
  stateOf,
  recover,
  requireDeleted,
  softDelete,
  wireAttributes,
} from '../objects.js';
import { nextLink, readPageRequest, versionsPage } from '../paging.js';
import type { StoredObject, StoredVersion } from '../store/types.js';
import { attributesSchema, contentTypeSchema, definedOnly, parseBody, tagsSchema } from '../validation.js';

export const SECRET_KIND = 'secret';

/** Per-version payload of a secret. */
export interface SecretData {
  value: string;
  /** PEM rendering of a certificate-backed PFX value, served for `outContentType=application/x-pem-file`. */
  pemValue?: string;
}

type Secret = StoredObject<SecretData, unknown>;
type SecretVersion = StoredVersion<SecretData>;

const PEM_CONTENT_TYPE = 'application/x-pem-file';

function bundle(ctx: RequestContext, secret: Secret, version: SecretVersion, withValue: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let contentType = version.contentType;
  if (withValue) {
    const wantsPem = ctx.query['outContentType']?.toLowerCase() === PEM_CONTENT_TYPE;
    if (wantsPem && version.data.pemValue !== undefined) {
      out['value'] = version.data.pemValue;
      contentType = PEM_CONTENT_TYPE;
    } else {
      out['value'] = version.data.value;
    }
  }
  out['id'] = objectId(ctx, 'secrets', secret.name, version.version);
  if (contentType) out['contentType'] = contentType;
  out['attributes'] = wireAttributes(version.attributes, ctx.policy);
  if (version.tags && Object.keys(version.tags).length > 0) out['tags'] = version.tags;
  if (version.managed) {
    out['kid'] = objectId(ctx, 'keys', secret.name, version.version);
    out['managed'] = true;
  }
  return out;
}

/** SecretItem: never value, never kid. `versioned` picks a versioned or base id. */
function item(ctx: RequestContext, secret: Secret, version: SecretVersion, versioned: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: objectId(ctx, 'secrets', secret.name, versioned ? version.version : undefined),
    attributes: wireAttributes(version.attributes, ctx.policy),
  };
  if (version.contentType) out['contentType'] = version.contentType;
  if (version.tags && Object.keys(version.tags).length > 0) out['tags'] = version.tags;
  if (version.managed) out['managed'] = true;
  return out;
}

function deletedBundle(ctx: RequestContext, secret: Secret): Record<string, unknown> {
  const latest = secret.versions.at(-1);
  const base = latest ? bundle(ctx, secret, latest, false) : { id: objectId(ctx, 'secrets', secret.name) };
  return { ...deletedFields(ctx, 'deletedsecrets', secret), ...base };
}

function notFound(name: string, version: string) {
  return errors.notFound('Secret', version ? `${name}/${version}` : name);
}

const setBody = z.object({
  value: z.string(),
  contentType: contentTypeSchema,
  tags: tagsSchema,
  attributes: attributesSchema,
});

const updateBody = z.object({
  contentType: contentTypeSchema,
  tags: tagsSchema,
  attributes: attributesSchema,
});

const restoreBody = z.object({ value: z.string().min(1) });

async function setSecret(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const body = parseBody(ctx, setBody);
  if (body.value.length > SECRET_VALUE_MAX_CHARACTERS) throw errors.secretTooLarge(SECRET_VALUE_MAX_CHARACTERS);
  const now = ctx.now();
  return ctx.store.transaction(ctx.vault, (tx) => {
    assertNameUsable(tx, SECRET_KIND, 'Secret', name, now);
    const existing = getLive<SecretData, unknown>(tx, SECRET_KIND, name, now);
    if (existing?.versions.at(-1)?.managed) throw errors.managedObject('set');
    const attributes = definedOnly(body.attributes ?? {});
    const version: SecretVersion = {
      version: newVersion(),
      attributes: { enabled: attributes.enabled ?? true, nbf: attributes.nbf, exp: attributes.exp, created: now, updated: now },
      ...(body.contentType ? { contentType: body.contentType } : {}),
      ...(body.tags ? { tags: body.tags } : {}),
      data: { value: body.value },
    };
    const secret: Secret = existing ? { ...existing, versions: [...existing.versions, version] } : { kind: SECRET_KIND, name, versions: [version] };
    tx.put(secret);
    return { body: bundle(ctx, secret, version, true) };
  });
}

async function getSecret(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const versionId = ctx.params['version'] ?? '';
  return ctx.store.transaction(ctx.vault, (tx) => {
    const secret = getLive<SecretData, unknown>(tx, SECRET_KIND, name, ctx.now());
    const version = secret && findVersion(secret, versionId);
    if (!secret || !version) throw notFound(name, versionId);
    if (!version.attributes.enabled) throw errors.disabled('Secret', 'get');
    return { body: bundle(ctx, secret, version, true) };
  });
}

async function updateSecret(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const versionId = ctx.params['version'] ?? '';
  const body = parseBody(ctx, updateBody);
  const now = ctx.now();
  return ctx.store.transaction(ctx.vault, (tx) => {
    const secret = getLive<SecretData, unknown>(tx, SECRET_KIND, name, now);
    const version = secret && findVersion(secret, versionId);
    if (!secret || !version) throw notFound(name, versionId);
    const attributes = definedOnly(body.attributes ?? {});
    const updated: SecretVersion = {
      ...version,
      attributes: { ...version.attributes, ...attributes, updated: now },
    };
    if (body.contentType !== undefined && body.contentType !== null) updated.contentType = body.contentType;
    if (body.tags !== undefined && body.tags !== null) updated.tags = body.tags;
    const next: Secret = { ...secret, versions: secret.versions.map((v) => (v.version === version.version ? updated : v)) };
    tx.put(next);
    return { body: bundle(ctx, next, updated, false) };
  });
}

async function deleteSecret(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const now = ctx.now();
  return ctx.store.transaction(ctx.vault, (tx) => {
    const secret = getLive<SecretData, unknown>(tx, SECRET_KIND, name, now);
    if (!secret) throw notFound(name, '');
    if (secret.versions.at(-1)?.managed) throw errors.managedObject('delete');
    const deleted = softDelete(tx, secret, ctx, now);
    return { body: deletedBundle(ctx, deleted) };
  });
}

async function getDeletedSecret(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  return ctx.store.transaction(ctx.vault, (tx) => {
    const secret = requireDeleted<SecretData, unknown>(tx, SECRET_KIND, 'Secret', name, ctx.now(), 'read');
    return { body: deletedBundle(ctx, secret) };
  });
}

async function recoverDeletedSecret(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  return ctx.store.transaction(ctx.vault, (tx) => {
    const secret = requireDeleted<SecretData, unknown>(tx, SECRET_KIND, 'Secret', name, ctx.now(), 'recover');
    const live = recover(tx, secret, ctx);
    const latest = live.versions.at(-1);
    return { body: latest ? bundle(ctx, live, latest, false) : { id: objectId(ctx, 'secrets', live.name) } };
  });
}

async function purgeDeletedSecret(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  return ctx.store.transaction(ctx.vault, (tx) => {
    const secret = requireDeleted<SecretData, unknown>(tx, SECRET_KIND, 'Secret', name, ctx.now(), 'purge');
    purge(tx, secret, ctx);
    return {};
  });
}

async function backupSecret(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const secret = await ctx.store.transaction(ctx.vault, (tx) => getLive<SecretData, unknown>(tx, SECRET_KIND, name, ctx.now()));
  if (!secret) throw notFound(name, '');
  if (secret.versions.length > BACKUP_MAX_VERSIONS) {
    throw errors.badParameter(`Secret ${secret.name} has more than ${BACKUP_MAX_VERSIONS} versions and cannot be backed up.`);
  }
  return { body: { value: encodeBackup([secret]) } };
}

async function restoreSecret(ctx: RequestContext): Promise<HandlerResult> {
  const body = parseBody(ctx, restoreBody);
  const [secret] = decodeBackup(body.value, SECRET_KIND) as [Secret];
  const now = ctx.now();
  return ctx.store.transaction(ctx.vault, (tx) => {
    assertNameUsable(tx, SECRET_KIND, 'Secret', secret.name, now);
    if (getLive(tx, SECRET_KIND, secret.name, now)) {
      throw errors.restoreConflict('Secret', objectId(ctx, 'secrets', secret.name, secret.versions.at(-1)?.version));
    }
    tx.put(secret);
    const latest = secret.versions.at(-1);
    return { body: latest ? bundle(ctx, secret, latest, false) : { id: objectId(ctx, 'secrets', secret.name) } };
  });
}

async function listSecrets(ctx: RequestContext): Promise<HandlerResult> {
  const page = readPageRequest(ctx);
  const result = ctx.store.list<SecretData, unknown>(ctx.vault, SECRET_KIND, { deleted: false, after: page.after, limit: page.limit });
  const value = listable(result.items, false, ctx.now()).flatMap((secret) => {
    const latest = secret.versions.at(-1);
    return latest ? [item(ctx, secret, latest, false)] : [];
  });
  return { body: { value, nextLink: nextLink(ctx, '/secrets', page, result.continuation) } };
}

async function listDeletedSecrets(ctx: RequestContext): Promise<HandlerResult> {
  const page = readPageRequest(ctx);
  const result = ctx.store.list<SecretData, unknown>(ctx.vault, SECRET_KIND, { deleted: true, after: page.after, limit: page.limit });
  const value = listable(result.items, true, ctx.now()).flatMap((secret) => {
    const latest = secret.versions.at(-1);
    if (!latest) return [];
    return [{ ...item(ctx, secret, latest, false), ...deletedFields(ctx, 'deletedsecrets', secret) }];
  });
  return { body: { value, nextLink: nextLink(ctx, '/deletedsecrets', page, result.continuation) } };
}

async function listSecretVersions(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const page = readPageRequest(ctx);
  const secret = ctx.store.get<SecretData, unknown>(ctx.vault, SECRET_KIND, name);
  if (!secret || stateOf(secret) !== 'live') return { body: { value: [], nextLink: null } };
  return {
    body: versionsPage(ctx, `/secrets/${secret.name}/versions`, page, secret.versions, (version) => item(ctx, secret, version, true)),
  };
}

const a = DataActions;

export const secretOperations: Operation[] = [
  { name: 'setSecret', method: 'PUT', path: '/secrets/:name', action: a.secretsSet, status: 200, handler: setSecret },
  { name: 'getSecret', method: 'GET', path: '/secrets/:name/', action: a.secretsGet, status: 200, handler: getSecret },
  { name: 'getSecret', method: 'GET', path: '/secrets/:name', action: a.secretsGet, status: 200, handler: getSecret },
  { name: 'getSecret', method: 'GET', path: '/secrets/:name/:version', action: a.secretsGet, status: 200, handler: getSecret },
  { name: 'updateSecret', method: 'PATCH', path: '/secrets/:name/', action: a.secretsUpdate, status: 200, handler: updateSecret },
  { name: 'updateSecret', method: 'PATCH', path: '/secrets/:name/:version', action: a.secretsUpdate, status: 200, handler: updateSecret },
  { name: 'deleteSecret', method: 'DELETE', path: '/secrets/:name', action: a.secretsDelete, status: 200, handler: deleteSecret },
  { name: 'listSecrets', method: 'GET', path: '/secrets', action: a.secretsReadMetadata, status: 200, handler: listSecrets },
  {
    name: 'listSecretVersions',
    method: 'GET',
    path: '/secrets/:name/versions',
    action: a.secretsReadMetadata,
    status: 200,
    handler: listSecretVersions,
  },
  { name: 'backupSecret', method: 'POST', path: '/secrets/:name/backup', action: a.secretsBackup, status: 200, handler: backupSecret },
  { name: 'restoreSecret', method: 'POST', path: '/secrets/restore', action: a.secretsRestore, status: 200, handler: restoreSecret },
  {
    name: 'listDeletedSecrets',
    method: 'GET',
    path: '/deletedsecrets',
    action: a.secretsReadMetadata,
    status: 200,
    handler: listDeletedSecrets,
  },
  {
    name: 'getDeletedSecret',
    method: 'GET',
    path: '/deletedsecrets/:name',
    action: a.secretsReadMetadata,
    status: 200,
    handler: getDeletedSecret,
  },
  {
    name: 'recoverDeletedSecret',
    method: 'POST',
    path: '/deletedsecrets/:name/recover',
    action: a.secretsRecover,
    status: 200,
    handler: recoverDeletedSecret,
  },
  {
    name: 'purgeDeletedSecret',
    method: 'DELETE',
    path: '/deletedsecrets/:name',
    action: a.secretsPurge,
    status: 204,
    handler: purgeDeletedSecret,
  },
];
