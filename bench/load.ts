// Measurement helpers for the benchmarks: latency of sequential calls and throughput of
// concurrent ones, for any async operation (an HTTP GET, an SDK call).
import http from 'node:http';

export interface LatencyStats {
  p50: number;
  p99: number;
}

export type Operation = () => Promise<void>;

/** A keep-alive HTTP GET that must answer 200. */
export function httpGet(url: string, headers: Record<string, string> = {}, maxSockets = 32): Operation & { close(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const get = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.get(url, { agent, headers }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode} from ${url}`))));
      });
      req.on('error', reject);
    });
  return Object.assign(get, { close: () => agent.destroy() });
}

/** Sequential calls: per-call latency in milliseconds. */
export async function measureLatency(operation: Operation, count: number): Promise<LatencyStats> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await operation();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

/** `concurrency` loops sharing `count` calls: calls per second. */
export async function measureThroughput(operation: Operation, concurrency: number, count: number): Promise<number> {
  let remaining = count;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (remaining-- > 0) await operation();
    }),
  );
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

export interface Comparison {
  latency: LatencyStats;
  perSecond: number;
}

/**
 * Measures several operations in interleaved rounds (the order alternates), so that noise on a
 * shared machine falls on all of them alike. Reports the median over rounds.
 */
export async function compare<K extends string>(
  operations: Record<K, Operation>,
  options: { rounds: number; latencyCalls: number; throughputCalls: number; concurrency: number },
): Promise<Record<K, Comparison>> {
  const names = Object.keys(operations) as K[];
  for (const name of names) await measureLatency(operations[name], Math.min(200, options.latencyCalls)); // warm-up
  const rounds = Object.fromEntries(names.map((n) => [n, { p50: [] as number[], p99: [] as number[], rps: [] as number[] }])) as Record<
    K,
    { p50: number[]; p99: number[]; rps: number[] }
  >;
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const latency = await measureLatency(operations[name], options.latencyCalls);
      rounds[name].p50.push(latency.p50);
      rounds[name].p99.push(latency.p99);
      rounds[name].rps.push(await measureThroughput(operations[name], options.concurrency, options.throughputCalls));
    }
  }
  return Object.fromEntries(
    names.map((n) => [n, { latency: { p50: quantile(rounds[n].p50, 0.5), p99: quantile(rounds[n].p99, 0.5) }, perSecond: quantile(rounds[n].rps, 0.5) }]),
  ) as Record<K, Comparison>;
}

export function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

export const ms = (value: number) => `${value.toFixed(3)} ms`;
export const ratio = (value: number, baseline: number) => `${(value / baseline).toFixed(2)}×`;
