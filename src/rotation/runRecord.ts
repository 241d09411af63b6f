import { RestError } from '@azure/core-rest-pipeline';
import type { TableClient } from '@azure/data-tables';
import { DEFAULT_VAULT } from '../platform/config.js';
import { onceUntilFailure } from '../platform/once.js';
import type { ScheduledRotationResult } from './run.js';

/** What a rotation run did, in names-free counts: when rotation last ran and how it went. */
export interface RunRecord {
  runId: string;
  startedAt: string;
  finishedAt: string;
  /** False when another run held the lease and this one did nothing. */
  ran: boolean;
  due: number;
  rotated: number;
  skipped: number;
  failed: number;
  invalidPolicies: number;
  certificatesNearExpiry: number;
  renewalsStarted: number;
  leaseLost: boolean;
  /** Comma-separated names of the steps that failed. */
  failedSteps: string;
}

const PARTITION = 'rotation-run';
/** `latest` is the last run that finished; `latest-ran` the last one that held the lease and worked. */
type Row = 'latest' | 'latest-ran';

export function toRunRecord(runId: string, startedAt: Date, finishedAt: Date, result: ScheduledRotationResult): RunRecord {
  const outcomes = (result.ran && result.secrets?.outcomes) || [];
  const count = (status: string) => outcomes.filter((outcome) => outcome.status === status).length;
  return {
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    ran: result.ran,
    due: (result.ran && result.secrets?.planned) || 0,
    rotated: count('rotated'),
    skipped: count('skipped'),
    failed: count('failed'),
    invalidPolicies: (result.ran && result.secrets?.invalid) || 0,
    certificatesNearExpiry: (result.ran && result.certificates?.nearExpiry) || 0,
    renewalsStarted: (result.ran && result.certificates?.started) || 0,
    leaseLost: result.ran && result.leaseLost,
    failedSteps: result.ran ? result.failedSteps.join(',') : '',
  };
}

const rowKeyOf = (row: Row, vault: string) => (vault === DEFAULT_VAULT ? row : `${row}:${vault}`);

/** Run records in the operations table (partition `rotation-run`), overwritten by each run. */
export class TableRunRecords {
  private readonly ensureTable: () => Promise<void>;

  constructor(private readonly table: TableClient) {
    this.ensureTable = onceUntilFailure(() => table.createTable());
  }

  /** `vault`: the alias of the vault the run was for; the default vault's rows keep their plain names. */
  async record(record: RunRecord, vault = DEFAULT_VAULT): Promise<void> {
    await this.ensureTable();
    const rows: Row[] = record.ran ? ['latest', 'latest-ran'] : ['latest'];
    for (const row of rows) await this.table.upsertEntity({ partitionKey: PARTITION, rowKey: rowKeyOf(row, vault), ...record }, 'Replace');
  }

  async read(row: Row = 'latest', vault = DEFAULT_VAULT): Promise<RunRecord | undefined> {
    await this.ensureTable();
    try {
      const { partitionKey: _p, rowKey: _r, etag: _e, timestamp: _t, ...record } = await this.table.getEntity<RunRecord>(PARTITION, rowKeyOf(row, vault));
      return record as RunRecord;
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }
}
