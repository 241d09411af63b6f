// Object lifecycle shared by secrets, keys and certificates: version lookup, soft delete,
// recover, purge, recovery attributes, expiry of soft-deleted objects.
import type { RequestContext, VaultPolicy } from './context.js';
import { errors, type ObjectNoun } from './errors.js';
import { SECONDS_PER_DAY } from './limits.js';
import type { ObjectKind, StoredObject, StoredVersion, StoreTransaction, VersionAttributes } from './store/types.js';

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

/** The live (not deleted) object, or undefined. Expired deleted objects are dropped in `tx`. */
export function getLive<D, M>(tx: StoreTransaction, kind: ObjectKind, name: string, now: number): StoredObject<D, M> | undefined {
  const object = tx.get<D, M>(kind, name);
  if (!object) return undefined;
  if (object.deleted) {
    if (isExpired(object, now)) tx.remove(kind, name);
    return undefined;
  }
  return object;
}

/** The soft-deleted object, or undefined (expired ones are dropped in `tx`). */
export function getDeleted<D, M>(tx: StoreTransaction, kind: ObjectKind, name: string, now: number): StoredObject<D, M> | undefined {
  const object = tx.get<D, M>(kind, name);
  if (!object?.deleted) return undefined;
  if (isExpired(object, now)) {
    tx.remove(kind, name);
    return undefined;
  }
  return object;
}

/** Throws 409 ObjectIsDeletedButRecoverable when `name` is soft-deleted (and not expired). */
export function assertNotDeleted(tx: StoreTransaction, kind: ObjectKind, noun: ObjectNoun, name: string, now: number): void {
  if (getDeleted(tx, kind, name, now)) throw errors.deletedButRecoverable(noun, tx.get(kind, name)?.name ?? name);
}

/** '' = latest. */
export function findVersion<D>(object: StoredObject<D, unknown>, version: string): StoredVersion<D> | undefined {
  if (version === '') return object.versions.at(-1);
  const wanted = version.toLowerCase();
  return object.versions.find((v) => v.version === wanted);
}

/** Soft delete (or purge when the vault has no soft delete). Returns the deleted record. */
export function softDelete<D, M>(tx: StoreTransaction, object: StoredObject<D, M>, policy: VaultPolicy, now: number): StoredObject<D, M> {
  const deleted: StoredObject<D, M> = {
    ...object,
    deleted: { deletedDate: now, scheduledPurgeDate: now + policy.recoverableDays * SECONDS_PER_DAY },
  };
  if (policy.recoverableDays <= 0) tx.remove(object.kind, object.name);
  else tx.put(deleted as StoredObject<unknown, unknown>);
  return deleted;
}

export function recover<D, M>(tx: StoreTransaction, object: StoredObject<D, M>): StoredObject<D, M> {
  const { deleted: _deleted, ...live } = object;
  tx.put(live as StoredObject<unknown, unknown>);
  return live;
}

export function purge(tx: StoreTransaction, object: StoredObject<unknown, unknown>, noun: ObjectNoun, policy: VaultPolicy): void {
  if (policy.purgeProtection) throw errors.purgeProtected(noun, object.name);
  tx.remove(object.kind, object.name);
}

/** `recoveryId`, `deletedDate`, `scheduledPurgeDate` wire fields (only when soft delete is on). */
export function deletedFields(
  ctx: Pick<RequestContext, 'vaultUrl' | 'policy'>,
  deletedCollection: string,
  object: StoredObject<unknown, unknown>,
): Record<string, unknown> {
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
  const live = objects.map(({ deleted: _deleted, ...rest }) => rest);
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
