// The persistence contract shared by secrets, keys and certificates (Azurite style: one
// interface, a memory and a file implementation behind it).
//
// Model: a vault holds objects addressed by (kind, name). Names match case-insensitively; the
// record keeps the caller's original casing. An object has versions (oldest first) and an
// optional `deleted` marker (soft delete keeps the record, purge removes it). Kind-specific
// payload goes in `data` (per version) and `meta` (per object) — e.g. a secret version's value,
// a key version's private JWK, a certificate's policy or pending operation.

/** Object kinds. Secrets/keys/certificates are the public collections; extend freely for
 * per-vault singletons or side records (e.g. 'certificate-issuer', 'certificate-contacts'). */
export type ObjectKind = 'secret' | 'key' | 'certificate' | (string & {});

export interface VersionAttributes {
  enabled: boolean;
  /** Unix seconds. */
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
  /** Keys only. */
  exportable?: boolean;
}

export interface StoredVersion<D = Record<string, unknown>> {
  /** 32 lowercase hex chars. */
  version: string;
  attributes: VersionAttributes;
  tags?: Record<string, string>;
  contentType?: string;
  /** True for the secret/key backing a certificate. */
  managed?: boolean;
  data: D;
}

export interface DeletedMarker {
  /** Unix seconds. */
  deletedDate: number;
  scheduledPurgeDate: number;
}

/** A step the service has accepted but not finished (the timing model, timing.ts). A `purging`
 * object is a tombstone: no versions, only the name, which stays taken until `untilMs`. */
export interface Transition {
  kind: 'deleting' | 'recovering' | 'purging';
  /** Unix milliseconds. */
  untilMs: number;
}

export interface StoredObject<D = Record<string, unknown>, M = Record<string, unknown>> {
  kind: ObjectKind;
  /** Original casing of the name as first created. */
  name: string;
  /** Oldest first; the last element is "latest". May be empty for e.g. a pending certificate. */
  versions: StoredVersion<D>[];
  deleted?: DeletedMarker;
  transition?: Transition;
  meta?: M;
}

export interface ListOptions {
  /** Only soft-deleted objects (true), only live ones (false). */
  deleted: boolean;
  /** Resume after this lower-cased name (exclusive), as returned in `ListPage.continuation`. */
  after?: string;
  limit: number;
}

export interface ListPage<D = Record<string, unknown>, M = Record<string, unknown>> {
  items: StoredObject<D, M>[];
  /** Lower-cased name of the last item when more may follow; undefined at the end. */
  continuation?: string;
}

/** Synchronous view used inside a transaction; changes become visible (and durable) together. */
export interface StoreTransaction {
  get<D = Record<string, unknown>, M = Record<string, unknown>>(kind: ObjectKind, name: string): StoredObject<D, M> | undefined;
  put(object: StoredObject<unknown, unknown>): void;
  remove(kind: ObjectKind, name: string): void;
}

export interface VaultStore {
  /** A deep copy of the object, or undefined. `vault` is the vault key (see vaultKeyForHost). */
  get<D = Record<string, unknown>, M = Record<string, unknown>>(vault: string, kind: ObjectKind, name: string): StoredObject<D, M> | undefined;
  /** Objects of a kind ordered by lower-cased name. */
  list<D = Record<string, unknown>, M = Record<string, unknown>>(vault: string, kind: ObjectKind, options: ListOptions): ListPage<D, M>;
  /**
   * Runs `fn` with exclusive access to the vault and commits everything it put/removed
   * atomically: all-or-nothing in memory, and (file store) all-or-nothing on disk even under
   * kill -9. `fn` is synchronous on purpose so nothing interleaves; if it throws, nothing is
   * written. Resolves with fn's result once the change is durable.
   */
  transaction<T>(vault: string, fn: (tx: StoreTransaction) => T): Promise<T>;
  /** Drops every vault's data (admin reset). */
  clear(): Promise<void>;
  close(): Promise<void>;
}

/** Lower-cased key used to match names case-insensitively. */
export function nameKey(name: string): string {
  return name.toLowerCase();
}
