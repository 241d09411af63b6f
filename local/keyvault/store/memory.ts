// In-memory VaultStore: the state model itself. The file store wraps it and adds durability.
import { nameKey, type ListOptions, type ListPage, type ObjectKind, type StoredObject, type StoreTransaction, type VaultStore } from './types.js';

/** One committed change: the new object, or null when it was removed. */
export interface StoreChange {
  vault: string;
  kind: ObjectKind;
  key: string;
  object: StoredObject<unknown, unknown> | null;
}

type KindMap = Map<string, StoredObject<unknown, unknown>>;

export class MemoryVaultStore implements VaultStore {
  /** vault → kind → lower-cased name → object */
  protected readonly vaults = new Map<string, Map<string, KindMap>>();

  get<D = Record<string, unknown>, M = Record<string, unknown>>(vault: string, kind: ObjectKind, name: string): StoredObject<D, M> | undefined {
    const found = this.vaults.get(vault)?.get(kind)?.get(nameKey(name));
    return found ? (structuredClone(found) as StoredObject<D, M>) : undefined;
  }

  list<D = Record<string, unknown>, M = Record<string, unknown>>(vault: string, kind: ObjectKind, options: ListOptions): ListPage<D, M> {
    const objects = this.vaults.get(vault)?.get(kind);
    if (!objects) return { items: [] };
    const keys = [...objects.keys()].sort();
    const items: StoredObject<D, M>[] = [];
    let last: string | undefined;
    for (const key of keys) {
      if (options.after !== undefined && key <= options.after) continue;
      const object = objects.get(key);
      if (!object || Boolean(object.deleted) !== options.deleted) continue;
      if (items.length === options.limit) return { items, continuation: last };
      items.push(structuredClone(object) as StoredObject<D, M>);
      last = key;
    }
    return { items };
  }

  async transaction<T>(vault: string, fn: (tx: StoreTransaction) => T): Promise<T> {
    const staged = new Map<string, StoreChange>();
    const stageKey = (kind: string, name: string) => `${kind}\u0000${nameKey(name)}`;
    const tx: StoreTransaction = {
      get: <D, M>(kind: ObjectKind, name: string) => {
        const change = staged.get(stageKey(kind, name));
        if (change) return change.object ? (structuredClone(change.object) as StoredObject<D, M>) : undefined;
        return this.get<D, M>(vault, kind, name);
      },
      put: (object) => {
        staged.set(stageKey(object.kind, object.name), {
          vault,
          kind: object.kind,
          key: nameKey(object.name),
          object: structuredClone(object),
        });
      },
      remove: (kind, name) => {
        staged.set(stageKey(kind, name), { vault, kind, key: nameKey(name), object: null });
      },
    };
    const result = fn(tx);
    const changes = [...staged.values()];
    if (changes.length > 0) {
      this.apply(changes);
      await this.persist(changes);
    }
    return result;
  }

  /** Applies committed changes to the in-memory maps (also used when loading from disk). */
  protected apply(changes: readonly StoreChange[]): void {
    for (const change of changes) {
      let kinds = this.vaults.get(change.vault);
      if (!kinds) this.vaults.set(change.vault, (kinds = new Map()));
      let objects = kinds.get(change.kind);
      if (!objects) kinds.set(change.kind, (objects = new Map()));
      if (change.object) objects.set(change.key, change.object);
      else objects.delete(change.key);
    }
  }

  /** Durability hook; memory mode has nothing to do. */
  protected async persist(_changes: readonly StoreChange[]): Promise<void> {}

  async clear(): Promise<void> {
    this.vaults.clear();
  }

  async close(): Promise<void> {}
}
