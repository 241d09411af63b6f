// 10,000 due secrets rotated by the timer (through the local host) while the emulator enforces
// Key Vault's real throttle limit (4,000 requests per 10 s per vault). Prints the wall time
// against the limit-bound ideal (requests needed ÷ allowed rate; target ≥ 0.8 of the limit),
// Key Vault requests per rotated secret (target ≤ 3) and 429s that ended in a failure (target 0).
import { SecretClient } from '@azure/keyvault-secrets';
import { startBenchStack } from './stackProcess.js';

const SECRETS = Number(process.env.BENCH_SECRETS ?? 10_000);
const LIMIT = { requests: 4_000, windowMs: 10_000 };

const stack = await startBenchStack();
try {
  const { credential, options } = await stack.clientOptions();
  const client = new SecretClient(stack.vault.url, credential, options);
  console.log(`bench/rotation: creating ${SECRETS} secrets due for rotation …`);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < SECRETS) {
        const i = next++;
        await client.setSecret(`rot-${i}`, 'initial-value', { tags: { 'rotation-interval': 'PT1S' } });
      }
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 1_500));

  await stack.admin('faults', { limit: { enabled: true, ...LIMIT } });
  await stack.admin('reset', { counters: true, faults: false });
  const runsBefore = (stack.output().match(/Rotation run:/g) ?? []).length;
  const start = Date.now();
  const invoke = await fetch(`${stack.apiBaseUrl.replace(/\/api$/, '')}/admin/functions/rotation`, {
    method: 'POST',
    headers: { 'x-functions-key': stack.masterKey, 'content-type': 'application/json' },
    body: JSON.stringify({ input: '' }),
  });
  if (invoke.status !== 202) throw new Error(`admin invoke: HTTP ${invoke.status}`);
  while ((stack.output().match(/Rotation run:/g) ?? []).length === runsBefore) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (Date.now() - start > 15 * 60_000) throw new Error('the rotation run did not finish within 15 minutes');
  }
  const seconds = (Date.now() - start) / 1000;
  const summary =
    stack
      .output()
      .split('\n')
      .reverse()
      .find((line) => line.includes('Rotation run:')) ?? '';
  const counters = await stack.admin('counters');
  let accepted = 0;
  let throttled = 0;
  for (const operation of Object.values(counters.operations)) {
    for (const [status, count] of Object.entries(operation.statuses)) {
      if (status === '429') throttled += count;
      else accepted += count;
    }
  }
  const rotated = Number(/(\d+) rotated/.exec(summary)?.[1] ?? 0);
  const failed = Number(/(\d+) failed/.exec(summary)?.[1] ?? 0);
  const ideal = accepted / (LIMIT.requests / (LIMIT.windowMs / 1000));

  console.log(`  run: ${summary.replace(/^\[[^\]]+\]\s*/, '')}`);
  console.log(`  wall time ${seconds.toFixed(1)} s; limit-bound ideal ${ideal.toFixed(1)} s (${accepted} requests at ${LIMIT.requests} per ${LIMIT.windowMs / 1000} s)`);
  console.log(`  throughput ${(ideal / seconds).toFixed(2)} of the limit (target ≥ 0.8)`);
  console.log(`  Key Vault requests per rotated secret ${(accepted / Math.max(1, rotated)).toFixed(2)} (target ≤ 3); 429 answers seen ${throttled}`);
  console.log(`  429s that reached a failure: ${failed} (target 0)`);
} finally {
  await stack.stop();
}
