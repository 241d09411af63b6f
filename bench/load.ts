// Small load generator for the benchmarks: keep-alive HTTP/1.1 from this process.
import http from 'node:http';

export interface LatencyStats {
  p50: number;
  p99: number;
  mean: number;
  count: number;
}

export interface Target {
  url: string;
  headers?: Record<string, string>;
}

function request(agent: http.Agent, target: Target): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get(target.url, { agent, headers: target.headers }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode} from ${target.url}`))));
    });
    req.on('error', reject);
  });
}

/** Sequential requests on one keep-alive connection: latency in milliseconds. */
export async function measureLatency(target: Target, count: number): Promise<LatencyStats> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const samples: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const start = process.hrtime.bigint();
      await request(agent, target);
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  } finally {
    agent.destroy();
  }
  return summarize(samples);
}

/** `concurrency` request loops for `count` requests in all: requests per second. */
export async function measureThroughput(target: Target, concurrency: number, count: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let remaining = count;
  const start = process.hrtime.bigint();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (remaining-- > 0) await request(agent, target);
      }),
    );
  } finally {
    agent.destroy();
  }
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

export function summarize(samples: number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length, count: sorted.length };
}

export const ms = (value: number) => `${value.toFixed(3)} ms`;
export const ratio = (value: number, baseline: number) => `${(value / baseline).toFixed(2)}×`;
