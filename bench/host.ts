// The local Functions host against a bare node:http server answering the same "Hello, world":
// p50/p99 latency, req/s and their ratios (target p50 ≤ 1.3×), then cold start.
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../local/stack/ports.js';
import { helloAppDir, measureHostOverhead } from './hostOverhead.js';
import { ms, quantile, ratio } from './load.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const options = { rounds: 5, latencyCalls: 400, throughputCalls: 1_000, concurrency: 16 };

async function timeToFirst200(args: string[], port: number): Promise<number> {
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { cwd: helloAppDir, stdio: 'ignore' });
  try {
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        http
          .get(`http://127.0.0.1:${port}/api/hello`, (res) => {
            res.resume();
            resolve(res.statusCode === 200);
          })
          .on('error', () => resolve(false));
      });
      if (ok) return Number(process.hrtime.bigint() - start) / 1e6;
      if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    child.kill('SIGKILL');
  }
}

const { host, bare } = await measureHostOverhead(options);
console.log(
  `bench/host: trivial HTTP function; ${options.rounds} interleaved rounds of ${options.latencyCalls} sequential requests ` +
    `and ${options.throughputCalls} at concurrency ${options.concurrency}`,
);
console.log(`  bare node:http   p50 ${ms(bare.latency.p50)}  p99 ${ms(bare.latency.p99)}  ${bare.perSecond.toFixed(0)} req/s`);
console.log(`  local host       p50 ${ms(host.latency.p50)}  p99 ${ms(host.latency.p99)}  ${host.perSecond.toFixed(0)} req/s`);
console.log(
  `  ratio host/bare  p50 ${ratio(host.latency.p50, bare.latency.p50)} (target ≤ 1.30×)  p99 ${ratio(host.latency.p99, bare.latency.p99)}  ` +
    `req/s ${ratio(host.perSecond, bare.perSecond)}`,
);
console.log(`  host overhead    p50 +${ms(host.latency.p50 - bare.latency.p50)} per request`);

const coldHost: number[] = [];
const coldBare: number[] = [];
for (let i = 0; i < 3; i++) {
  const hostPort = await freePort();
  coldHost.push(await timeToFirst200(['--import', 'tsx', path.join(here, '../local/host/cli.ts'), '--app', helloAppDir, '--port', String(hostPort)], hostPort));
  const barePort = await freePort();
  coldBare.push(await timeToFirst200(['-e', `require('http').createServer((q,s)=>s.end('Hello, world')).listen(${barePort},'127.0.0.1')`], barePort));
}
const medianHost = quantile(coldHost, 0.5);
const medianBare = quantile(coldBare, 0.5);
console.log(
  `  cold start (process start → first 200, median of 3): host ${medianHost.toFixed(0)} ms, bare node ${medianBare.toFixed(0)} ms (${ratio(medianHost, medianBare)})`,
);
