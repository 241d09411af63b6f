import { randomUUID } from 'node:crypto';
import { isTerminal, type OperationKind, type RenewalState, type StoredOperation } from './model.js';
import { DEFAULT_VAULT } from '../platform/config.js';
import { certificateKey, newOperation, type OperationStore, type RenewalTarget } from './store.js';

/** Operations in memory, with the same guarantees as the Table store: for unit tests of the worker. */
export class InMemoryOperationStore implements OperationStore {
  readonly operations = new Map<string, StoredOperation>();
  private readonly active = new Map<string, string>();
  private readonly renewals = new Map<string, RenewalState>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async get(id: string): Promise<StoredOperation | undefined> {
    const operation = this.operations.get(id);
    return operation && structuredClone(operation);
  }

  async create(kind: OperationKind, name: string, vault = DEFAULT_VAULT, traceId?: string): Promise<{ operation: StoredOperation; created: boolean }> {
    const key = certificateKey({ name, vault });
    const holder = this.operations.get(this.active.get(key) ?? '');
    if (holder && !isTerminal(holder.status)) return { operation: structuredClone(holder), created: false };
    const operation = newOperation(randomUUID(), kind, name, this.now(), vault, traceId);
    this.operations.set(operation.id, operation);
    this.active.set(key, operation.id);
    return { operation: structuredClone(operation), created: true };
  }

  async update(id: string, change: (current: StoredOperation) => StoredOperation | undefined): Promise<StoredOperation> {
    const stored = this.operations.get(id);
    if (!stored) throw new Error(`No operation ${id}`);
    const next = change(structuredClone(stored));
    if (!next) return structuredClone(stored);
    next.updatedAt = this.now().toISOString();
    this.operations.set(id, structuredClone(next));
    const key = certificateKey(next.target);
    if (isTerminal(next.status) && this.active.get(key) === id) this.active.delete(key);
    return next;
  }

  async listNotStartedBefore(time: Date): Promise<StoredOperation[]> {
    return [...this.operations.values()]
      .filter((operation) => operation.status === 'NotStarted' && Date.parse(operation.createdAt) < time.getTime())
      .map((operation) => structuredClone(operation));
  }

  async getRenewalState(target: RenewalTarget): Promise<RenewalState> {
    return structuredClone(this.renewals.get(certificateKey(target)) ?? { failures: 0 });
  }

  async saveRenewalState(target: RenewalTarget, state: RenewalState): Promise<void> {
    this.renewals.set(certificateKey(target), structuredClone(state));
  }
}
