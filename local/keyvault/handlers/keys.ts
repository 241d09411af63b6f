// Keys: read-only public JWK of (certificate-backing) keys. Keys are written by
// the certificates handlers through the store (kind 'key', data KeyData).
import type { JsonWebKey } from 'node:crypto';
import { DataActions } from '../auth/roles.js';
import type { HandlerResult, Operation, RequestContext } from '../context.js';
import { errors } from '../errors.js';
import { objectId } from '../ids.js';
import { findVersion, getLive, wireAttributes } from '../objects.js';
import { nextLink, readPageRequest, versionsPage } from '../paging.js';
import type { StoredObject, StoredVersion } from '../store/types.js';

export const KEY_KIND = 'key';

/** Per-version payload of a key: the full JWK (private parts included, never served). */
export interface KeyData {
  jwk: JsonWebKey;
  /** Wire key_ops; defaults by key type when absent. */
  keyOps?: string[];
}

const PUBLIC_MEMBERS = ['kty', 'crv', 'n', 'e', 'x', 'y'] as const;

function defaultKeyOps(kty: string | undefined): string[] {
  return kty === 'EC' || kty === 'EC-HSM' ? ['sign', 'verify'] : ['sign', 'verify', 'wrapKey', 'unwrapKey', 'encrypt', 'decrypt'];
}

export function keyBundle(ctx: RequestContext, key: StoredObject<KeyData, unknown>, version: StoredVersion<KeyData>): Record<string, unknown> {
  const jwk: Record<string, unknown> = { kid: objectId(ctx, 'keys', key.name, version.version) };
  const source = version.data.jwk as Record<string, unknown>;
  for (const member of PUBLIC_MEMBERS) if (source[member] !== undefined) jwk[member] = source[member];
  jwk['key_ops'] = version.data.keyOps ?? defaultKeyOps(version.data.jwk.kty);
  const out: Record<string, unknown> = { key: jwk, attributes: wireAttributes(version.attributes, ctx.policy) };
  if (version.tags && Object.keys(version.tags).length > 0) out['tags'] = version.tags;
  if (version.managed) out['managed'] = true;
  return out;
}

async function getKey(ctx: RequestContext): Promise<HandlerResult> {
  const name = ctx.params['name']!;
  const versionId = ctx.params['version'] ?? '';
  return ctx.store.transaction(ctx.vault, (tx) => {
    const key = getLive<KeyData, unknown>(tx, KEY_KIND, name, ctx.now());
    const version = key && findVersion(key, versionId);
    if (!key || !version) throw errors.notFound('Key', versionId ? `${name}/${versionId}` : name);
    return { body: keyBundle(ctx, key, version) };
  });
}

/** KeyItem: kid (base id for /keys, versioned for versions), attributes, tags, managed. */
function keyItem(ctx: RequestContext, key: StoredObject<KeyData, unknown>, version: StoredVersion<KeyData>, versioned: boolean) {
  const out: Record<string, unknown> = {
    kid: objectId(ctx, 'keys', key.name, versioned ? version.version : undefined),
    attributes: wireAttributes(version.attributes, ctx.policy),
  };
  if (version.tags && Object.keys(version.tags).length > 0) out['tags'] = version.tags;
  if (version.managed) out['managed'] = true;
  return out;
}

async function listKeys(ctx: RequestContext): Promise<HandlerResult> {
  const page = readPageRequest(ctx);
  const result = ctx.store.list<KeyData, unknown>(ctx.vault, KEY_KIND, { deleted: false, after: page.after, limit: page.limit });
  const value = result.items.flatMap((key) => {
    const latest = key.versions.at(-1);
    return latest ? [keyItem(ctx, key, latest, false)] : [];
  });
  return { body: { value, nextLink: nextLink(ctx, '/keys', page, result.continuation) } };
}

async function listKeyVersions(ctx: RequestContext): Promise<HandlerResult> {
  const page = readPageRequest(ctx);
  const key = ctx.store.get<KeyData, unknown>(ctx.vault, KEY_KIND, ctx.params['name']!);
  if (!key || key.deleted) return { body: { value: [], nextLink: null } };
  return { body: versionsPage(ctx, `/keys/${key.name}/versions`, page, key.versions, (version) => keyItem(ctx, key, version, true)) };
}

export const keyOperations: Operation[] = [
  { name: 'listKeys', method: 'GET', path: '/keys', action: DataActions.keysRead, status: 200, handler: listKeys },
  { name: 'listKeyVersions', method: 'GET', path: '/keys/:name/versions', action: DataActions.keysRead, status: 200, handler: listKeyVersions },
  { name: 'getKey', method: 'GET', path: '/keys/:name/', action: DataActions.keysRead, status: 200, handler: getKey },
  { name: 'getKey', method: 'GET', path: '/keys/:name', action: DataActions.keysRead, status: 200, handler: getKey },
  { name: 'getKey', method: 'GET', path: '/keys/:name/:version', action: DataActions.keysRead, status: 200, handler: getKey },
];
