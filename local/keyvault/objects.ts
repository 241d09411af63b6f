// Object lifecycle shared by secrets, keys and certificates: version lookup, soft delete, recover
// and purge (each with the timing model's window while the service carries it out), recovery
// attributes, expiry of soft-deleted objects.
import type { RequestContext, VaultPolicy } from './context.js';
import { errors, type ObjectNoun } from './errors.js';
import { SECONDS_PER_DAY } from './limits.js';
import type { ObjectKind, StoredObject, StoredVersion, StoreTransaction, Transition, VersionAttributes } from './store/types.js';

export function recoveryLevel(policy: VaultPolicy): string {
  if (policy.recoverableDays <= 0) return 'Purgeable';
  const customized = policy.recoverableDays !== 90 ? 'CustomizedRecoverable' : 'Recoverable';
  return policy.purgeProtection ? customized : `${customized}+Purgeable`;
}

/** Wire `attributes` for a version: its own fields plus the vault's recovery settings. */
export function wireAttributes(attributes: VersionAttributes, policy: VaultPolicy): Record<string, unknown> {
  const out: Record<string, unknown> = { enabled: attributes.enabled };
  if (attributes.nbf) out['nbf'] = attributes.nbf;
  if (attributes.exp) out['exp'] = attributes.exp;
  out['created'] = attributes.created;
  out['updated'] = attributes.updated;
  out['recoveryLevel'] = recoveryLevel(policy);
  if (policy.recoverableDays > 0) out['recoverableDays'] = policy.recoverableDays;
  if (attributes.exportable !== undefined) out['exportable'] = attributes.exportable;
  return out;
}

/** A soft-deleted object past its scheduled purge date counts as purged. */
export function isExpired(object: StoredObject<unknown, unknown>, now: number): boolean {
  return Boolean(object.deleted && object.deleted.scheduledPurgeDate <= now);
}

/**
 * Where an object stands. `deleting`, `recovering` and `purging` are the timing model's windows
 * (timing.ts): the service has accepted the step but not finished it.
 */
export type ObjectState = 'live' | 'deleted' | 'deleting' | 'recovering' | 'purging';

/** The state of `object` at `nowMs`, without changing anything (for reads outside a transaction). */
export function stateOf(object: StoredObject<unknown, unknown>, nowMs = Date.now()): ObjectState {
  const step = object.transition;
  if (step && step.untilMs > nowMs) return step.kind;
  if (step?.kind === 'purging') return 'purging';
  return object.deleted ? 'deleted' : 'live';
}

/**
 * The object under `name` and its state, applying in `tx` what has finished meanwhile: a step
 * whose time is up, a purge that is over (the name is free) or a soft delete past its purge date.
 */
export function findObject<D, M>(tx: StoreTransaction, kind: ObjectKind, name: string, now: number): { object: StoredObject<D, M>; state: ObjectState } | undefined {
  let object = tx.get<D, M>(kind, name);
  if (!object) return undefined;
  const step = object.transition;
  if (step && step.untilMs <= Date.now()) {
    if (step.kind === 'purging') {
      tx.remove(kind, name);
      return undefined;
    }
    const { transition: _done, ...settled } = object;
    tx.put(settled as StoredObject<unknown, unknown>);
    object = settled;
  }
  if (!object.transition && isExpired(object, now)) {
    tx.remove(kind, name);
    return undefined;
  }
  return { object, state: stateOf(object) };
}

/** The live (not deleted, not being recovered) object, or undefined. */
export function getLive<D, M>(tx: StoreTransaction, kind: ObjectKind, name: string, now: number): StoredObject<D, M> | undefined {
  const found = findObject<D, M>(tx, kind, name, now);
  return found?.state === 'live' ? found.object : undefined;
}

/** The soft-deleted object whose delete has finished, or undefined. */
export function getDeleted<D, M>(tx: StoreTransaction, kind: ObjectKind, name: string, now: number): StoredObject<D, M> | undefined {
  const found = findObject<D, M>(tx, kind, name, now);
  return found?.state === 'deleted' ? found.object : undefined;
}

/**
 * For set / create / import / restore: 409 unless `name` is free or live. A soft-deleted name can
 * only be recovered or purged; one still being deleted, purged or recovered must be retried.
 */
export function assertNameUsable(tx: StoreTransaction, kind: ObjectKind, noun: ObjectNoun, name: string, now: number): void {
  const found = findObject(tx, kind, name, now);
  const shownName = found?.object.name ?? name;
  switch (found?.state) {
    case 'deleted':
      throw errors.deletedButRecoverable(noun, shownName);
    case 'deleting':
    case 'purging':
      throw errors.beingDeletedCannotRecreate(noun, shownName);
    case 'recovering':
      throw errors.beingRecovered(noun, shownName);
  }
}

/**
 * The soft-deleted object for GET /deleted…/{n}, recover and purge. While the delete is still
 * being carried out the service answers a read with 404 "Deleted … not found" and a recover or
 * purge with 409 ObjectIsBeingDeleted; a name that is not deleted at all gets the plain 404.
 */
export function requireDeleted<D, M>(
  tx: StoreTransaction,
  kind: ObjectKind,
  noun: ObjectNoun,
  name: string,
  now: number,
  use: 'read' | 'recover' | 'purge',
): StoredObject<D, M> {
  const found = findObject<D, M>(tx, kind, name, now);
  if (found?.state === 'deleted') return found.object;
  if (found?.state === 'deleting') throw use === 'read' ? errors.deletionInProgress(noun, found.object.name) : errors.beingDeleted(noun);
  throw errors.notFound(noun, name);
}

/** '' = latest. */
export function findVersion<D>(object: StoredObject<D, unknown>, version: string): StoredVersion<D> | undefined {
  if (version === '') return object.versions.at(-1);
  const wanted = version.toLowerCase();
  return object.versions.find((v) => v.version === wanted);
}

/** What a lifecycle step needs to know: the vault's soft-delete policy and the timing model. */
export type LifecycleContext = Pick<RequestContext, 'policy' | 'settings' | 'vaultName'>;

function window(kind: Transition['kind'], durationMs: number): Pick<StoredObject<unknown, unknown>, 'transition'> {
  return durationMs > 0 ? { transition: { kind, untilMs: Date.now() + durationMs } } : {};
}

/** What stays of a purged object while the purge is carried out: its name, nothing else. */
function purgeTombstone(object: StoredObject<unknown, unknown>, ctx: LifecycleContext): StoredObject<unknown, unknown> | undefined {
  if (ctx.settings.purgeMs <= 0) return undefined;
  return { kind: object.kind, name: object.name, versions: [], ...window('purging', ctx.settings.purgeMs) };
}

/** Soft delete (or purge when the vault has no soft delete). Returns the deleted record. */
export function softDelete<D, M>(tx: StoreTransaction, object: StoredObject<D, M>, ctx: LifecycleContext, now: number): StoredObject<D, M> {
  const { transition: _previous, ...rest } = object;
  const deleted: StoredObject<D, M> = {
    ...rest,
    deleted: { deletedDate: now, scheduledPurgeDate: now + ctx.policy.recoverableDays * SECONDS_PER_DAY },
    ...window('deleting', ctx.settings.deleteMs),
  };
  if (ctx.policy.recoverableDays <= 0) removeName(tx, object, ctx);
  else tx.put(deleted as StoredObject<unknown, unknown>);
  return deleted;
}

export function recover<D, M>(tx: StoreTransaction, object: StoredObject<D, M>, ctx: LifecycleContext): StoredObject<D, M> {
  const { deleted: _deleted, transition: _previous, ...live } = object;
  tx.put({ ...live, ...window('recovering', ctx.settings.recoverMs) } as StoredObject<unknown, unknown>);
  return live;
}

export function purge(tx: StoreTransaction, object: StoredObject<unknown, unknown>, ctx: LifecycleContext): void {
  if (ctx.policy.purgeProtection) throw errors.purgeProtected(ctx.vaultName);
  removeName(tx, object, ctx);
}

/** Removes the object; its name stays taken while the purge is carried out. */
function removeName(tx: StoreTransaction, object: StoredObject<unknown, unknown>, ctx: LifecycleContext): void {
  const tombstone = purgeTombstone(object, ctx);
  if (tombstone) tx.put(tombstone);
  else tx.remove(object.kind, object.name);
}

/** Objects of a listing that the listing shows: live ones for `/secrets`, finished soft deletes
 * for `/deletedsecrets`; nothing in the middle of a step. */
export function listable<T extends StoredObject<unknown, unknown>>(items: readonly T[], deleted: boolean, now: number): T[] {
  const nowMs = Date.now();
  return items.filter((object) => stateOf(object, nowMs) === (deleted ? 'deleted' : 'live') && !isExpired(object, now));
}

/** `recoveryId`, `deletedDate`, `scheduledPurgeDate` wire fields (only when soft delete is on). */
export function deletedFields(ctx: Pick<RequestContext, 'vaultUrl' | 'policy'>, deletedCollection: string, object: StoredObject<unknown, unknown>): Record<string, unknown> {
  if (!object.deleted || ctx.policy.recoverableDays <= 0) return {};
  return {
    recoveryId: `${ctx.vaultUrl}/${deletedCollection}/${object.name}`,
    deletedDate: object.deleted.deletedDate,
    scheduledPurgeDate: object.deleted.scheduledPurgeDate,
  };
}

/** Backup blobs: opaque base64url of a versioned JSON envelope holding one or more objects
 * (a certificate backup carries its key and secret too). The first object is the main one. */
const BACKUP_PREFIX = 'KVEMU1.';

export function encodeBackup(objects: readonly StoredObject<unknown, unknown>[]): string {
  const live = objects.map(({ deleted: _deleted, transition: _step, ...rest }) => rest);
  return Buffer.from(BACKUP_PREFIX + JSON.stringify(live), 'utf8').toString('base64url');
}

/** Decodes a blob whose first object has `kind`; 400 BadParameter for anything else. */
export function decodeBackup(blob: unknown, kind: ObjectKind): StoredObject<unknown, unknown>[] {
  if (typeof blob !== 'string' || blob.length === 0) throw errors.badBackup();
  try {
    const text = Buffer.from(blob, 'base64url').toString('utf8');
    if (!text.startsWith(BACKUP_PREFIX)) throw new Error('prefix');
    const objects = JSON.parse(text.slice(BACKUP_PREFIX.length)) as StoredObject<unknown, unknown>[];
    if (!Array.isArray(objects) || objects.length === 0) throw new Error('shape');
    for (const object of objects) {
      if (typeof object?.name !== 'string' || typeof object.kind !== 'string' || !Array.isArray(object.versions)) throw new Error('shape');
    }
    if (objects[0]!.kind !== kind) throw new Error('kind');
    return objects;
  } catch {
    throw errors.badBackup();
  }
}
