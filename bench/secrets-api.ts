// GET /api/secrets/{name} through the local host and the app, against a direct
// SecretClient.getSecret on the same emulator, in one run. The stack runs as its own process
// (`npm start`), so that the vault is remote for both, as in Azure. Also measures the host's own
// overhead (bench/host.ts's comparison) to check the target: p50 ≤ 1.2 × direct + host overhead.
import { SecretClient } from '@azure/keyvault-secrets';
import { measureHostOverhead } from './hostOverhead.js';
import { compare, httpGet, ms, ratio } from './load.js';
import { startBenchStack } from './stackProcess.js';

const options = { rounds: 5, latencyCalls: 200, throughputCalls: 600, concurrency: 16 };
const stack = await startBenchStack();

try {
  // The direct client authenticates exactly as the app does: managed identity, same vault.
  const { credential, options: clientOptions } = await stack.clientOptions();
  const client = new SecretClient(stack.vault.url, credential, clientOptions);
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

  console.log(
    `bench/secrets-api: GET one secret; ${options.rounds} interleaved rounds of ${options.latencyCalls} sequential + ${options.throughputCalls} at concurrency ${options.concurrency}`,
  );
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
  await stack.stop();
}
