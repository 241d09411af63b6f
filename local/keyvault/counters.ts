// Per-operation call counters for tests and benchmarks (GET /_emulator/counters).

export interface OperationCounter {
  calls: number;
  /** Status code → count. */
  statuses: Record<string, number>;
}

export class CallCounters {
  private counters = new Map<string, OperationCounter>();

  record(operation: string, status: number): void {
    let counter = this.counters.get(operation);
    if (!counter) this.counters.set(operation, (counter = { calls: 0, statuses: {} }));
    counter.calls += 1;
    counter.statuses[status] = (counter.statuses[status] ?? 0) + 1;
  }

  snapshot(): { total: number; operations: Record<string, OperationCounter> } {
    const operations: Record<string, OperationCounter> = {};
    let total = 0;
    for (const [name, counter] of [...this.counters.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      operations[name] = { calls: counter.calls, statuses: { ...counter.statuses } };
      total += counter.calls;
    }
    return { total, operations };
  }

  reset(): void {
    this.counters.clear();
  }
}
