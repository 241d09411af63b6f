// The Table operation store against Azurite: one unfinished operation per name, and no request
// fails because another finished or started an operation on the same name at the same moment.
import { TableClient } from '@azure/data-tables';
import { describe, expect, inject, it } from 'vitest';
import { isTerminal } from '../../../../src/operations/model.js';
import { TableOperationStore } from '../../../../src/operations/tableStore.js';

const table = () => TableClient.fromConnectionString(inject('storage').connectionString, `ops${Math.random().toString(36).slice(2, 10)}`, { allowInsecureConnection: true });

describe('TableOperationStore', () => {
  it('starts operations on a name while others finish, never failing and never holding two at once', { timeout: 120_000 }, async () => {
    const store = new TableOperationStore(table());
    const finish = (id: string) => store.update(id, (current) => ({ ...current, status: 'Succeeded' }));
    for (let round = 0; round < 15; round++) {
      const { operation: first } = await store.create('certificate.renew', 'contended');
      // The running operation ends while several requests try to start the next one.
      const results = await Promise.all([finish(first.id), ...Array.from({ length: 6 }, () => store.create('certificate.delete', 'contended'))]);
      const starts = results.slice(1) as { operation: { id: string; status: string }; created: boolean }[];
      const created = starts.filter((start) => start.created);
      expect(created.length).toBeLessThanOrEqual(1);
      const holders = new Set(starts.filter((start) => !isTerminal(start.operation.status as never)).map((start) => start.operation.id));
      expect(holders.size).toBeLessThanOrEqual(1);
      for (const id of holders) await finish(id);
    }
  });
});
