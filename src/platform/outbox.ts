import { randomUUID } from 'node:crypto';
import { RestError } from '@azure/core-rest-pipeline';
import { odata, type TableClient } from '@azure/data-tables';
import type { VaultEvent, VaultEventType } from './events.js';
import { onceUntilFailure } from './once.js';

/** Events that could not be published yet. */
export interface Outbox {
  add(event: VaultEvent): Promise<void>;
  /** Up to `limit` kept events, oldest first. */
  list(limit: number): Promise<{ id: string; event: VaultEvent }[]>;
  remove(id: string): Promise<void>;
}

interface OutboxEntity {
  partitionKey: string;
  rowKey: string;
  type: VaultEventType;
  name: string;
  vault?: string;
  version?: string;
  time: string;
  reason?: string;
}

/**
 * The outbox as rows of a table (the app's operations table, its own partition), one row per
 * event holding only the event's fields. Row keys start with the event's time, so a partition
 * lists oldest first.
 */
export class TableOutbox implements Outbox {
  private readonly ensureTable: () => Promise<void>;

  constructor(
    private readonly table: TableClient,
    private readonly partition = 'outbox',
  ) {
    this.ensureTable = onceUntilFailure(() => table.createTable());
  }

  async add(event: VaultEvent): Promise<void> {
    await this.ensureTable();
    const millis = Date.parse(event.time);
    const rowKey = `${String(Number.isNaN(millis) ? 0 : millis).padStart(15, '0')}-${randomUUID()}`;
    const entity: OutboxEntity = { partitionKey: this.partition, rowKey, type: event.type, name: event.name, time: event.time };
    for (const field of ['vault', 'version', 'reason'] as const) if (event[field] !== undefined) entity[field] = event[field];
    await this.table.createEntity(entity);
  }

  async list(limit: number): Promise<{ id: string; event: VaultEvent }[]> {
    await this.ensureTable();
    const rows: { id: string; event: VaultEvent }[] = [];
    const entities = this.table.listEntities<OutboxEntity>({
      queryOptions: { filter: odata`PartitionKey eq ${this.partition}`, select: ['RowKey', 'type', 'name', 'vault', 'version', 'time', 'reason'] },
    });
    for await (const entity of entities) {
      if (rows.length >= limit) break;
      const event: VaultEvent = { type: entity.type, name: entity.name, time: entity.time };
      for (const field of ['vault', 'version', 'reason'] as const) if (entity[field]) event[field] = entity[field];
      rows.push({ id: entity.rowKey, event });
    }
    return rows;
  }

  async remove(id: string): Promise<void> {
    try {
      await this.table.deleteEntity(this.partition, id);
    } catch (error) {
      if (!(error instanceof RestError && error.statusCode === 404)) throw error;
    }
  }
}
