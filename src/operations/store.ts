import { DEFAULT_VAULT } from '../platform/config.js';
import type { Operation, OperationKind, RenewalState, StoredOperation } from './model.js';

/**
 * Where operations are kept. Every implementation guarantees: at most one unfinished operation
 * per certificate name (case-insensitive) in each vault; `update` applies its change to the latest state
 * without losing a concurrent update; an operation that reaches a terminal status frees its name.
 */
export interface OperationStore {
  get(id: string): Promise<StoredOperation | undefined>;
  /**
   * Records a new `NotStarted` operation that holds `name`, unless an unfinished operation
   * already holds it: then that one is returned (`created: false`). `traceId`: the trace of the
   * request that starts it, while tracing is on.
   */
  create(kind: OperationKind, name: string, vault?: string, traceId?: string): Promise<{ operation: StoredOperation; created: boolean }>;
  /** Applies `change` to the current state and saves it; `change` returns undefined to leave it as it is. */
  update(id: string, change: (current: StoredOperation) => StoredOperation | undefined): Promise<StoredOperation>;
  /** Operations still `NotStarted` that were created before `time`. */
  listNotStartedBefore(time: Date): Promise<StoredOperation[]>;
  /** A certificate's scheduled renewal bookkeeping, per vault (`certificateKey`). */
  getRenewalState(target: RenewalTarget): Promise<RenewalState>;
  saveRenewalState(target: RenewalTarget, state: RenewalState): Promise<void>;
}

export type RenewalTarget = Pick<Operation['target'], 'name' | 'vault'>;

/** A new operation record: NotStarted, no attempts yet. */
export function newOperation(id: string, kind: OperationKind, name: string, now: Date, vault = DEFAULT_VAULT, traceId?: string): StoredOperation {
  const timestamp = now.toISOString();
  return {
    id,
    kind,
    target: { type: 'certificate', name, vault },
    status: 'NotStarted',
    createdAt: timestamp,
    updatedAt: timestamp,
    attempts: 0,
    ...(traceId ? { traceId } : {}),
    progress: {},
  };
}

/** The key of the certificate a target names: its name, case-insensitive, within its vault. */
export function certificateKey(target: Pick<Operation['target'], 'name' | 'vault'>): string {
  const name = target.name.toLowerCase();
  return target.vault === DEFAULT_VAULT ? name : `${target.vault}:${name}`;
}
