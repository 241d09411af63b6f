export type { ObjectKind, VersionAttributes, StoredVersion, DeletedMarker, StoredObject, ListOptions, ListPage, StoreTransaction, VaultStore } from './types.js';
export { nameKey } from './types.js';
export { MemoryVaultStore } from './memory.js';
export { FileVaultStore } from './file.js';
