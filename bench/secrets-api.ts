// GET /api/secrets/{name} through the local host and the app, against a direct
// SecretClient.getSecret on the same emulator, in one run. The stack runs as its own process
// (`npm start`), so that the vault is remote for both, as in Azure. Also measures the host's own
// overhead (bench/host.ts's comparison) to check the target: p50 ≤ 1.2 × direct + host overhead.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ManagedIdentityCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import type { StackReadyFile } from '../local/stack/index.js';
import { stopChild } from '../local/stack/azurite.js';
import { measureHostOverhead } from './hostOverhead.js';
import { compare, httpGet, ms, ratio } from './load.js';

const options = { rounds: 5, latencyCalls: 200, throughputCalls: 600, concurrency: 16 };
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-secrets-'));
const readyFile = path.join(dataDir, 'ready.json');
const stackProcess = spawn(process.execPath, ['--import', 'tsx', 'local/stack/cli.ts', '--random-ports', '--data-dir', dataDir, '--ready-file', readyFile], {
  cwd: path.resolve(import.meta.dirname, '..'),
  stdio: 'ignore',
});
const stack = await waitForReadyFile(readyFile);

try {
  // The direct client authenticates exactly as the app does: managed identity, same vault.
  process.env.IDENTITY_ENDPOINT = stack.identity.endpoint;
  process.env.IDENTITY_HEADER = stack.identity.header;
  const client = new SecretClient(stack.vault.url, new ManagedIdentityCredential(), {
    disableChallengeResourceVerification: true,
    tlsOptions: { ca: await readFile(stack.vault.caFile, 'utf8') },
  });
  const name = 'bench-secret';
  await client.setSecret(name, 'x'.repeat(64));

  const viaApi = httpGet(`${stack.apiBaseUrl}/secrets/${name}`, { 'x-functions-key': stack.functionKey });
  const direct = async () => {
    await client.getSecret(name);
  };
  const results = await compare({ api: viaApi, direct }, options);
  viaApi.close();
  const overhead = await measureHostOverhead({ rounds: 3, latencyCalls: 300, throughputCalls: 800, concurrency: 16 });
  const hostOverheadP50 = overhead.host.latency.p50 - overhead.bare.latency.p50;
  const target = 1.2 * results.direct.latency.p50 + hostOverheadP50;

  console.log(`bench/secrets-api: GET one secret; ${options.rounds} interleaved rounds of ${options.latencyCalls} sequential + ${options.throughputCalls} at concurrency ${options.concurrency}`);
  console.log(`  direct SecretClient.getSecret  p50 ${ms(results.direct.latency.p50)}  p99 ${ms(results.direct.latency.p99)}  ${results.direct.perSecond.toFixed(0)} req/s`);
  console.log(`  GET /api/secrets/{name}        p50 ${ms(results.api.latency.p50)}  p99 ${ms(results.api.latency.p99)}  ${results.api.perSecond.toFixed(0)} req/s`);
  console.log(
    `  ratio api/direct               p50 ${ratio(results.api.latency.p50, results.direct.latency.p50)}  p99 ${ratio(results.api.latency.p99, results.direct.latency.p99)}  ` +
      `req/s ${ratio(results.api.perSecond, results.direct.perSecond)}`,
  );
  console.log(
    `  target p50 ≤ 1.2 × direct + host overhead (${ms(hostOverheadP50)}) = ${ms(target)}: ` +
      `${results.api.latency.p50 <= target ? 'met' : 'NOT met'} (${ratio(results.api.latency.p50, target)} of target)`,
  );
} finally {
  await stopChild(stackProcess, 15_000);
  await rm(dataDir, { recursive: true, force: true });
}

async function waitForReadyFile(file: string): Promise<StackReadyFile> {
  for (let waited = 0; waited < 120_000; waited += 200) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as StackReadyFile;
    } catch {
      if (stackProcess.exitCode !== null) throw new Error(`the stack exited with ${stackProcess.exitCode}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error('the stack was not ready within 120 s');
}
