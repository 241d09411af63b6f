// Per-operation call counters for tests and benchmarks (GET /_emulator/counters).

export interface OperationCounter {
  calls: number;
  /** Status code → count. */
  statuses: Record<string, number>;
}

/** How many traces `tracedCalls` remembers (the oldest is forgotten first). */
const TRACES_KEPT = 1_000;

export class CallCounters {
  private counters = new Map<string, OperationCounter>();
  /** W3C trace id → operation → calls that carried it in `traceparent` (tests of the app's tracing). */
  private traces = new Map<string, Map<string, number>>();

  record(operation: string, status: number, traceparent?: string): void {
    const traceId = traceparent && /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent)?.[1];
    if (traceId) {
      let calls = this.traces.get(traceId);
      if (!calls) {
        if (this.traces.size >= TRACES_KEPT) this.traces.delete(this.traces.keys().next().value!);
        this.traces.set(traceId, (calls = new Map()));
      }
      calls.set(operation, (calls.get(operation) ?? 0) + 1);
    }
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

  /** The calls, by operation, whose `traceparent` named this trace (of the last 1,000 traces seen). */
  tracedCalls(traceId: string): Record<string, number> {
    return Object.fromEntries(this.traces.get(traceId) ?? []);
  }

  reset(): void {
    this.counters.clear();
    this.traces.clear();
  }
}
