import { randomUUID } from 'node:crypto';
import { RestError } from '@azure/core-rest-pipeline';
import { odata, type TableClient } from '@azure/data-tables';
import { onceUntilFailure } from '../platform/once.js';
import { problems } from '../platform/problems.js';
import { isTerminal, type Operation, type OperationKind, type RenewalState, type StoredOperation } from './model.js';
import { DEFAULT_VAULT } from '../platform/config.js';
import { certificateKey, newOperation, type OperationStore, type RenewalTarget } from './store.js';

interface OperationEntity {
  partitionKey: string;
  rowKey: string;
  kind: OperationKind;
  targetName: string;
  /** Absent on operations recorded before vaults had aliases: the default vault. */
  targetVault?: string;
  status: Operation['status'];
  createdAt: string;
  updatedAt: string;
  attempts: number;
  errorCode?: string;
  errorMessage?: string;
  resultId?: string;
  resultVersion?: string;
  traceId?: string;
  submittedAt?: string;
  leaseOwner?: string;
  leaseUntil?: string;
}

const OPERATIONS = 'operation';
const RENEWAL = 'renewal';
const ACTIVE = 'active-certificate';

const isStatus = (error: unknown, status: number) => error instanceof RestError && error.statusCode === status;

function toOperation(entity: OperationEntity): StoredOperation {
  return {
    id: entity.rowKey,
    kind: entity.kind,
    target: { type: 'certificate', name: entity.targetName, vault: entity.targetVault ?? DEFAULT_VAULT },
    status: entity.status,
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
    attempts: entity.attempts,
    ...(entity.errorCode ? { error: { code: entity.errorCode, message: entity.errorMessage ?? '' } } : {}),
    ...(entity.resultId ? { result: { id: entity.resultId, ...(entity.resultVersion ? { version: entity.resultVersion } : {}) } } : {}),
    ...(entity.traceId ? { traceId: entity.traceId } : {}),
    progress: { submittedAt: entity.submittedAt, leaseOwner: entity.leaseOwner, leaseUntil: entity.leaseUntil },
  };
}

function toEntity(operation: StoredOperation): OperationEntity {
  return {
    partitionKey: OPERATIONS,
    rowKey: operation.id,
    kind: operation.kind,
    targetName: operation.target.name,
    targetVault: operation.target.vault,
    status: operation.status,
    createdAt: operation.createdAt,
    updatedAt: operation.updatedAt,
    attempts: operation.attempts,
    errorCode: operation.error?.code,
    errorMessage: operation.error?.message,
    resultId: operation.result?.id,
    resultVersion: operation.result?.version,
    traceId: operation.traceId,
    submittedAt: operation.progress.submittedAt,
    leaseOwner: operation.progress.leaseOwner,
    leaseUntil: operation.progress.leaseUntil,
  };
}

/**
 * Operations in Azure Table storage. Every update is a read-modify-write guarded by the entity's
 * ETag, retried on conflict, so concurrent workers and the poison handler never lose each
 * other's changes. An index row per certificate name points at its one active operation.
 */
export class TableOperationStore implements OperationStore {
  private readonly ensureTable: () => Promise<void>;

  constructor(
    private readonly table: TableClient,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.ensureTable = onceUntilFailure(() => table.createTable());
  }

  async get(id: string): Promise<StoredOperation | undefined> {
    await this.ensureTable();
    try {
      return toOperation(await this.table.getEntity<OperationEntity>(OPERATIONS, id));
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async create(kind: OperationKind, name: string, vault = DEFAULT_VAULT, traceId?: string): Promise<{ operation: StoredOperation; created: boolean }> {
    await this.ensureTable();
    const operation = newOperation(randomUUID(), kind, name, this.now(), vault, traceId);
    const indexKey = { partitionKey: ACTIVE, rowKey: certificateKey(operation.target) };
    // The operation is written before the index row that points at it, so that whoever finds the
    // index finds the operation too (and never takes over a name whose operation is being written).
    await this.table.createEntity(toEntity(operation));
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        await this.table.createEntity({ ...indexKey, operationId: operation.id });
        return { operation, created: true };
      } catch (error) {
        if (!isStatus(error, 409)) throw error;
      }
      const index = await this.table.getEntity<{ operationId: string }>(indexKey.partitionKey, indexKey.rowKey).catch((error: unknown) => {
        if (isStatus(error, 404)) return undefined;
        throw error;
      });
      if (!index) continue;
      const active = await this.get(index.operationId);
      if (active && !isTerminal(active.status)) {
        await this.table.deleteEntity(OPERATIONS, operation.id).catch(() => undefined);
        return { operation: active, created: false };
      }
      // A finished operation still holds the name: take it over. Someone else may take it over, or
      // the finished operation release it, in the meantime (412, 404): then look again.
      try {
        await this.table.updateEntity({ ...indexKey, operationId: operation.id }, 'Replace', { etag: index.etag });
        return { operation, created: true };
      } catch (error) {
        if (!isStatus(error, 412) && !isStatus(error, 404)) throw error;
      }
    }
    await this.table.deleteEntity(OPERATIONS, operation.id).catch(() => undefined);
    throw problems.operationContended(name);
  }

  async update(id: string, change: (current: StoredOperation) => StoredOperation | undefined): Promise<StoredOperation> {
    await this.ensureTable();
    for (;;) {
      const entity = await this.table.getEntity<OperationEntity>(OPERATIONS, id);
      const current = toOperation(entity);
      const next = change(current);
      if (!next) return current;
      next.updatedAt = this.now().toISOString();
      try {
        await this.table.updateEntity(toEntity(next), 'Replace', { etag: entity.etag });
      } catch (error) {
        if (isStatus(error, 412)) continue;
        throw error;
      }
      if (isTerminal(next.status)) await this.releaseName(next);
      return next;
    }
  }

  async listNotStartedBefore(time: Date): Promise<StoredOperation[]> {
    await this.ensureTable();
    const filter = odata`PartitionKey eq ${OPERATIONS} and status eq ${'NotStarted'} and createdAt lt ${time.toISOString()}`;
    const found: StoredOperation[] = [];
    for await (const entity of this.table.listEntities<OperationEntity>({ queryOptions: { filter } })) found.push(toOperation(entity));
    return found;
  }

  async getRenewalState(target: RenewalTarget): Promise<RenewalState> {
    await this.ensureTable();
    try {
      const entity = await this.table.getEntity<RenewalState>(RENEWAL, certificateKey(target));
      return { failures: entity.failures ?? 0, retryAt: entity.retryAt, lastOperationId: entity.lastOperationId };
    } catch (error) {
      if (isStatus(error, 404)) return { failures: 0 };
      throw error;
    }
  }

  async saveRenewalState(target: RenewalTarget, state: RenewalState): Promise<void> {
    await this.ensureTable();
    await this.table.upsertEntity({ partitionKey: RENEWAL, rowKey: certificateKey(target), ...state }, 'Replace');
  }

  /** Frees the certificate name once its operation has ended. */
  private async releaseName(operation: StoredOperation): Promise<void> {
    const key = certificateKey(operation.target);
    try {
      const index = await this.table.getEntity<{ operationId: string }>(ACTIVE, key);
      if (index.operationId === operation.id) await this.table.deleteEntity(ACTIVE, key, { etag: index.etag });
    } catch (error) {
      if (!isStatus(error, 404) && !isStatus(error, 412)) throw error;
    }
  }
}
