// Cold start of the deployable (`npm run package`), each measurement in a fresh process against the
// same Key Vault emulator and Azurite, rounds interleaved so that a busy machine slows all alike:
//   (a) the artifact's load, until every function is registered (the worker's loader, plain node);
//   (b) process start → first `GET /api/secrets/{name}` answered, the artifact on the local host;
//   (c) baseline: a minimal script that imports @azure/identity and @azure/keyvault-secrets and
//       reads one secret;
//   (d) baseline: process start → first 200 of a hello-world app on the same host.
// Goals: (a) ≤ 0.3 × (c), (b) ≤ (c) + (d), RSS after load ≤ 60 MB. The unbundled dev build
// (`dist/`, every SDK package from node_modules) is loaded as in (a) for comparison. (a) and (b) are
// also measured with telemetry on (OTEL_EXPORTER_OTLP_ENDPOINT set, to a sink in this process that
// accepts everything): what sending traces and metrics adds to a cold start; (a) with the Azure
// Monitor distro (APPLICATIONINSIGHTS_CONNECTION_STRING, the same sink) too.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { startEmulator, DEFAULT_ROLE_ASSIGNMENTS } from '../local/keyvault/index.js';
import { startAzurite, stopChild } from '../local/stack/azurite.js';
import { freePort } from '../local/stack/ports.js';
import { packageApp } from '../scripts/package.js';
import { helloAppDir } from './hostOverhead.js';
import { quantile, ratio } from './load.js';

const ROUNDS = Number(process.env.COLD_START_ROUNDS ?? 7);
const repoRoot = path.resolve(import.meta.dirname, '..');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
const work = await mkdtemp(path.join(os.tmpdir(), 'bench-cold-start-'));

const azurite = await startAzurite({ location: path.join(work, 'azurite'), inMemory: true });
const emulator = await startEmulator({
  inMemory: true,
  dataDir: path.join(work, 'vault'),
  roleAssignments: [...DEFAULT_ROLE_ASSIGNMENTS, { principal: 'system', role: 'Key Vault Reader' }],
});

// An OTLP/HTTP endpoint that accepts and drops everything.
const sink = createServer((request, response) => {
  request.resume();
  request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
const telemetryEnv = { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl };
// The Azure Monitor distro, sending to the same sink (no Entra authentication: nothing to sign in to here).
const azureMonitorEnv = { APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=${sinkUrl}/` };

/** Runs `args` with node in a fresh process; resolves with its stdout once it exits 0. */
function runNode(args: string[], env: Record<string, string> = {}): Promise<{ ms: number; stdout: string; stderr: string }> {
  const start = performance.now();
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      code === 0 ? resolve({ ms: performance.now() - start, stdout, stderr }) : reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`)),
    );
  });
}

/** The load probe's figures; a telemetry start that failed (logged by the app) fails the benchmark. */
function loaded(run: { stdout: string; stderr: string }): { loadMs: number; rssBytes: number } {
  if (run.stderr.includes('[telemetry] not started')) throw new Error(`telemetry did not start: ${run.stderr}`);
  return JSON.parse(run.stdout) as { loadMs: number; rssBytes: number };
}

/** Starts the local host on `appDir` and times process start → the first 200 from `route`. */
async function timeFirstAnswer(appDir: string, route: string, env: Record<string, string>): Promise<number> {
  const dataDir = await mkdtemp(path.join(work, 'host-'));
  const functionKey = 'bench-function-key';
  await writeFile(path.join(dataDir, 'keys.json'), JSON.stringify({ masterKey: 'bench-master-key', functionKeys: { default: functionKey }, perFunction: {} }));
  const port = await freePort();
  const args = ['--import', tsxLoader, path.join(repoRoot, 'local/host/cli.ts'), '--app', appDir, '--port', String(port), '--data-dir', dataDir];
  const start = performance.now();
  const child = spawn(process.execPath, args, { cwd: appDir, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the host for ${appDir} exited with ${child.exitCode}`);
      const answered = await fetch(`http://127.0.0.1:${port}/api/${route}`, { headers: { 'x-functions-key': functionKey } }).then(
        (response) => response.status === 200,
        () => false,
      );
      if (answered) return performance.now() - start;
      if (performance.now() - start > 60_000) throw new Error(`no 200 from ${route} within 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
  }
}

try {
  const packaged = await packageApp({ out: path.join(work, 'app.zip'), appDir: path.join(work, 'app') });
  const probe = path.join(work, 'load-probe.mjs');
  await esbuild.build({
    entryPoints: [path.join(repoRoot, 'bench/apps/cold-start/load-probe.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: probe,
    banner: { js: "import { createRequire as __probeRequire } from 'node:module'; const require = __probeRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  const secretName = 'cold-start-secret';
  const readSecret = [path.join(repoRoot, 'bench/apps/cold-start/read-secret.mjs'), emulator.vaultUrl, secretName];
  await runNode([...readSecret, '--set'], emulator.env);
  const appEnv = {
    ...emulator.env,
    AzureWebJobsStorage: azurite.connectionString,
    KEYVAULT_LOCAL: 'true',
    FUNCTIONS_WORKER_RUNTIME: 'node',
    ROTATION_SCHEDULE: '0 0 3 * * *',
    JOBS_QUEUE: 'certificate-jobs',
    EVENTS_QUEUE: 'vault-events',
    OPERATIONS_TABLE: 'operations',
  };

  const samples = {
    a: [] as number[],
    b: [] as number[],
    c: [] as number[],
    d: [] as number[],
    aTelemetry: [] as number[],
    bTelemetry: [] as number[],
    rssTelemetry: [] as number[],
    aAzureMonitor: [] as number[],
    rssAzureMonitor: [] as number[],
    dev: [] as number[],
    rss: [] as number[],
    devRss: [] as number[],
    helloRss: [] as number[],
  };
  for (let round = 0; round < ROUNDS; round++) {
    const load = JSON.parse((await runNode([probe, packaged.appDir])).stdout) as { loadMs: number; functions: number; rssBytes: number };
    samples.a.push(load.loadMs);
    samples.rss.push(load.rssBytes);
    const dev = JSON.parse((await runNode([probe, repoRoot])).stdout) as { loadMs: number; functions: number; rssBytes: number };
    if (dev.functions !== load.functions) throw new Error(`the artifact registers ${load.functions} functions, the dev build ${dev.functions}`);
    samples.dev.push(dev.loadMs);
    samples.devRss.push(dev.rssBytes);
    samples.helloRss.push((JSON.parse((await runNode([probe, helloAppDir])).stdout) as { rssBytes: number }).rssBytes);
    samples.b.push(await timeFirstAnswer(packaged.appDir, `secrets/${secretName}`, appEnv));
    samples.c.push((await runNode(readSecret, emulator.env)).ms);
    samples.d.push(await timeFirstAnswer(helloAppDir, 'hello', {}));
    const withTelemetry = loaded(await runNode([probe, packaged.appDir], telemetryEnv));
    const withAzureMonitor = loaded(await runNode([probe, packaged.appDir], azureMonitorEnv));
    samples.aAzureMonitor.push(withAzureMonitor.loadMs);
    samples.rssAzureMonitor.push(withAzureMonitor.rssBytes);
    samples.aTelemetry.push(withTelemetry.loadMs);
    samples.rssTelemetry.push(withTelemetry.rssBytes);
    samples.bTelemetry.push(await timeFirstAnswer(packaged.appDir, `secrets/${secretName}`, { ...appEnv, ...telemetryEnv }));
  }

  const median = (values: number[]) => quantile(values, 0.5);
  const [a, b, c, d, dev] = [median(samples.a), median(samples.b), median(samples.c), median(samples.d), median(samples.dev)];
  const megabytes = (values: number[]) => median(values) / 1e6;
  const [rssMb, devRssMb, helloRssMb] = [megabytes(samples.rss), megabytes(samples.devRss), megabytes(samples.helloRss)];
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const msText = (value: number) => `${value.toFixed(0).padStart(5)} ms`;
  console.log(`bench/cold-start: medians of ${ROUNDS} interleaved rounds, each a fresh process; artifact ${(packaged.zipBytes / 1024 / 1024).toFixed(1)} MB zipped`);
  console.log(`  (a) artifact load → all functions registered   ${msText(a)}   RSS after load ${rssMb.toFixed(1)} MB`);
  console.log(`      dev build (dist/, unbundled) the same way   ${msText(dev)}   RSS after load ${devRssMb.toFixed(1)} MB   (a)/dev ${ratio(a, dev)}`);
  console.log(`      hello-world app the same way                           RSS after load ${helloRssMb.toFixed(1)} MB   (the loader and @azure/functions alone)`);
  console.log(`  (b) start → first GET /api/secrets/{name}      ${msText(b)}`);
  console.log(`  (c) baseline: identity + secrets SDK, one read ${msText(c)}`);
  console.log(`  (d) baseline: start → hello world on the host  ${msText(d)}`);
  const [aTelemetry, bTelemetry] = [median(samples.aTelemetry), median(samples.bTelemetry)];
  console.log(`  with telemetry on (OTEL_EXPORTER_OTLP_ENDPOINT set):`);
  console.log(
    `  (a) artifact load → all functions registered   ${msText(aTelemetry)}   RSS after load ${megabytes(samples.rssTelemetry).toFixed(1)} MB   (+${(aTelemetry - a).toFixed(0)} ms)`,
  );
  console.log(`  (b) start → first GET /api/secrets/{name}      ${msText(bTelemetry)}   (+${(bTelemetry - b).toFixed(0)} ms)`);
  const aAzureMonitor = median(samples.aAzureMonitor);
  console.log(`  with Azure Monitor (APPLICATIONINSIGHTS_CONNECTION_STRING set):`);
  console.log(
    `  (a) artifact load → all functions registered   ${msText(aAzureMonitor)}   RSS after load ${megabytes(samples.rssAzureMonitor).toFixed(1)} MB   (+${(aAzureMonitor - a).toFixed(0)} ms)`,
  );
  console.log(`  (a)/(c) ${ratio(a, c)}  goal ≤ 0.30×: ${verdict(a <= 0.3 * c)}`);
  console.log(`  (b)/((c)+(d)) ${ratio(b, c + d)}  goal ≤ 1.00×: ${verdict(b <= c + d)}`);
  console.log(`  RSS after load ${rssMb.toFixed(1)} MB  goal ≤ 60 MB: ${verdict(rssMb <= 60)}`);
} finally {
  await emulator.stop();
  await azurite.stop();
  await new Promise((resolve) => sink.close(resolve));
  await rm(work, { recursive: true, force: true });
}
