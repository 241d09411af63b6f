import type { OperationKind, RenewalState, StoredOperation } from './model.js';

/**
 * Where operations are kept. Every implementation guarantees: at most one unfinished operation
 * per certificate name (case-insensitive); `update` applies its change to the latest state
 * without losing a concurrent update; an operation that reaches a terminal status frees its name.
 */
export interface OperationStore {
  get(id: string): Promise<StoredOperation | undefined>;
  /**
   * Records a new `NotStarted` operation that holds `name`, unless an unfinished operation
   * already holds it: then that one is returned (`created: false`).
   */
  create(kind: OperationKind, name: string): Promise<{ operation: StoredOperation; created: boolean }>;
  /** Applies `change` to the current state and saves it; `change` returns undefined to leave it as it is. */
  update(id: string, change: (current: StoredOperation) => StoredOperation | undefined): Promise<StoredOperation>;
  /** Operations still `NotStarted` that were created before `time`. */
  listNotStartedBefore(time: Date): Promise<StoredOperation[]>;
  getRenewalState(name: string): Promise<RenewalState>;
  saveRenewalState(name: string, state: RenewalState): Promise<void>;
}

/** A new operation record: NotStarted, no attempts yet. */
export function newOperation(id: string, kind: OperationKind, name: string, now: Date): StoredOperation {
  const timestamp = now.toISOString();
  return { id, kind, target: { type: 'certificate', name }, status: 'NotStarted', createdAt: timestamp, updatedAt: timestamp, attempts: 0, progress: {} };
}
