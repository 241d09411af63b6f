// The local Functions host against a bare node:http server answering the same "Hello, world",
// measured in one run and interleaved, so that machine noise hits both alike.
// Prints p50/p99 latency, req/s and their ratios, then cold start (process start → first 200).
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHost } from '../local/host/index.js';
import { freePort } from '../local/stack/ports.js';
import { measureLatency, measureThroughput, ms, ratio, summarize, type LatencyStats } from './load.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const appDir = path.join(here, 'apps/hello');
const ROUNDS = 5;
const LATENCY_REQUESTS = 2_000;
const THROUGHPUT_REQUESTS = 5_000;
const CONCURRENCY = 16;

async function startBareServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain;charset=UTF-8' });
    res.end('Hello, world');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/api/hello`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function timeToFirst200(command: string, args: string[], port: number, cwd: string): Promise<number> {
  const start = process.hrtime.bigint();
  const child = spawn(command, args, { cwd, stdio: 'ignore' });
  try {
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        http.get(`http://127.0.0.1:${port}/api/hello`, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        }).on('error', () => resolve(false));
      });
      if (ok) return Number(process.hrtime.bigint() - start) / 1e6;
      if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-host-'));
  const host = await startHost({ appDir, port: 0, dataDir, log: () => undefined });
  const bare = await startBareServer();
  const hostTarget = { url: `${host.baseUrl}/api/hello` };
  const bareTarget = { url: bare.url };

  try {
    await measureLatency(hostTarget, 500); // warm both paths up
    await measureLatency(bareTarget, 500);
    const latency = { host: [] as number[], bare: [] as number[] };
    const throughput = { host: [] as number[], bare: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['bare', 'host'] as const) : (['host', 'bare'] as const);
      for (const which of order) {
        const target = which === 'host' ? hostTarget : bareTarget;
        const stats = await measureLatency(target, LATENCY_REQUESTS / ROUNDS);
        latency[which].push(stats.p50, stats.p99);
        throughput[which].push(await measureThroughput(target, CONCURRENCY, THROUGHPUT_REQUESTS / ROUNDS));
      }
    }
    const hostStats = medianOfRounds(latency.host);
    const bareStats = medianOfRounds(latency.bare);
    const rps = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

    console.log(`bench/host: trivial HTTP function, ${LATENCY_REQUESTS} sequential requests + ${THROUGHPUT_REQUESTS} at concurrency ${CONCURRENCY} each, ${ROUNDS} interleaved rounds`);
    console.log(`  bare node:http   p50 ${ms(bareStats.p50)}  p99 ${ms(bareStats.p99)}  ${rps(throughput.bare).toFixed(0)} req/s`);
    console.log(`  local host       p50 ${ms(hostStats.p50)}  p99 ${ms(hostStats.p99)}  ${rps(throughput.host).toFixed(0)} req/s`);
    console.log(`  ratio host/bare  p50 ${ratio(hostStats.p50, bareStats.p50)} (target ≤ 1.30×)  p99 ${ratio(hostStats.p99, bareStats.p99)}  req/s ${ratio(rps(throughput.host), rps(throughput.bare))}`);
    console.log(`  host overhead    p50 +${ms(hostStats.p50 - bareStats.p50)} per request`);
  } finally {
    await host.stop();
    await bare.close();
    await rm(dataDir, { recursive: true, force: true });
  }

  const coldHost: number[] = [];
  const coldBare: number[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    coldHost.push(
      await timeToFirst200(process.execPath, ['--import', 'tsx', path.join(here, '../local/host/cli.ts'), '--app', appDir, '--port', String(port)], port, appDir),
    );
    const barePort = await freePort();
    const bareScript = `require('http').createServer((q,s)=>s.end('Hello, world')).listen(${barePort},'127.0.0.1')`;
    coldBare.push(await timeToFirst200(process.execPath, ['-e', bareScript], barePort, appDir));
  }
  const coldHostStats = summarize(coldHost);
  const coldBareStats = summarize(coldBare);
  console.log(`  cold start (process start → first 200, median of 3): host ${coldHostStats.p50.toFixed(0)} ms, bare node ${coldBareStats.p50.toFixed(0)} ms, ratio ${ratio(coldHostStats.p50, coldBareStats.p50)}`);
}

/** Medians over the rounds of each round's p50 and p99 (stored as pairs). */
function medianOfRounds(pairs: number[]): Pick<LatencyStats, 'p50' | 'p99'> {
  const median = (values: number[]) => summarize(values).p50;
  return { p50: median(pairs.filter((_, i) => i % 2 === 0)), p99: median(pairs.filter((_, i) => i % 2 === 1)) };
}

await main();
