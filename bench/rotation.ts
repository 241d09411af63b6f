// Due secrets rotated by the timer (through the local host) while the emulator enforces Key
// Vault's throttle limit, which is per vault (4,000 requests per 10 s).
//
// `rotation`: 10,000 due secrets in one vault, one timer run. Prints the wall time against the
// limit-bound ideal (requests needed ÷ allowed rate; target ≥ 0.85 of the limit), Key Vault
// requests per rotated secret (target ≤ 2.1) and 429s that ended in a failure (target 0), at the
// app's default settings: the run's concurrency finds the limit by itself (ROTATION_CONCURRENCY is
// only its upper bound), and how it did is printed when it met a 429. A run with nothing due goes
// first (loading code and clients); BENCH_RUNS (default 1) timer runs follow, each with every
// secret due again, and their median wall time is printed. BENCH_LATENCY_MS (default 0) is added
// to every Key Vault request.
//
// `rotation --compare 8`: runs below the limit (300 due secrets), the app's defaults against
// ROTATION_CONCURRENCY=8 (the fixed concurrency before rotation adapted; target ≥ 1.5 × faster),
// at each latency of BENCH_LATENCY_MS added to every Key Vault request (see compareWith).
//
// `rotation --vaults 2`: one stack serving two vaults, each with its own limit, and rounds of two
// timer runs in alternating order: N due secrets in the first vault only (the second vault's are
// disabled, so not due), and N due in each vault. Prints per run and over the rounds the
// throughput ratio (two-vault secrets/s ÷ one-vault secrets/s; target ≥ 1.8), the 429 answers
// per vault, the 429s that surfaced as failed rotations (target 0) and Key Vault requests per
// rotated secret. BENCH_SECRETS (N, default 2,000), BENCH_ROUNDS (3), BENCH_LIMIT (requests per
// 10 s per vault; default 1,000 here, so that one vault alone is bound by the limit on a
// developer machine: at 4,000 a run is bound by the machine first and never meets the limit).
// The stack keeps its data in memory: on disk, Azurite's queue and the emulator's file store each
// write one request at a time, with a sync, for both vaults together, so that a disk slowed by
// another process (not the vaults' limits) can set the pace; Azure has no such shared queue.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { TableClient } from '@azure/data-tables';
import { SecretClient } from '@azure/keyvault-secrets';
import { DEFAULT_ROTATION_CONCURRENCY } from '../src/platform/config.js';
import { startBenchStack, type BenchStack } from './stackProcess.js';

const { values: args } = parseArgs({ options: { vaults: { type: 'string', default: '1' }, compare: { type: 'string' } } });
const LIMIT = { requests: Number(process.env.BENCH_LIMIT ?? (args.vaults === '2' ? 1_000 : 4_000)), windowMs: 10_000 };
/** The app's own default, whatever a developer's local.settings.json says (the environment wins). */
const DEFAULT_SETTINGS = { ROTATION_CONCURRENCY: process.env.ROTATION_CONCURRENCY ?? String(DEFAULT_ROTATION_CONCURRENCY) };

/** When each stack's last measured run ended (its secrets are due again 1 s later). */
const runEndedAt = new WeakMap<BenchStack, number>();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (args.compare !== undefined && !/^[1-9]\d*$/.test(args.compare)) throw new Error(`--compare takes a concurrency (8: the old default), not '${args.compare}'`);
if (args.compare !== undefined) await compareWith(Number(args.compare), Number(process.env.BENCH_SECRETS ?? 300), Number(process.env.BENCH_RUNS ?? 5));
else if (args.vaults === '1') await oneVault(Number(process.env.BENCH_SECRETS ?? 10_000), Number(process.env.BENCH_RUNS ?? 1));
else if (args.vaults === '2') await twoVaults(Number(process.env.BENCH_SECRETS ?? 2_000), Number(process.env.BENCH_ROUNDS ?? 3));
else throw new Error(`--vaults is 1 or 2, not '${args.vaults}'`);

async function oneVault(secrets: number, runs: number): Promise<void> {
  const stack = await startBenchStack({ settings: DEFAULT_SETTINGS });
  try {
    await prepare(stack, secrets);
    const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 0);
    if (!Number.isInteger(latencyMs) || latencyMs < 0) throw new Error('BENCH_LATENCY_MS is whole milliseconds here, such as 20');
    if (latencyMs > 0) await stack.admin('faults', { latencyMs });
    console.log(`  ROTATION_CONCURRENCY ${DEFAULT_SETTINGS.ROTATION_CONCURRENCY}; ${latencyMs} ms added to every Key Vault request (BENCH_LATENCY_MS)`);
    const seconds: number[] = [];
    for (let index = 1; index <= runs; index++) {
      const run = await measureRun(stack);
      seconds.push(run.seconds);
      const ideal = run.accepted / (LIMIT.requests / (LIMIT.windowMs / 1000));
      if (runs > 1) console.log(`  run ${index} of ${runs}:`);
      console.log(`  run: ${run.summary}`);
      if (run.pace) console.log(`  ${run.pace}`);
      console.log(
        `  wall time ${run.seconds.toFixed(1)} s; limit-bound ideal ${ideal.toFixed(1)} s (${run.accepted} requests at ${LIMIT.requests} per ${LIMIT.windowMs / 1000} s)`,
      );
      console.log(`  throughput ${(ideal / run.seconds).toFixed(2)} of the limit (target ≥ 0.85)`);
      console.log(`  Key Vault requests per rotated secret ${(run.accepted / Math.max(1, run.rotated)).toFixed(2)} (target ≤ 2.1); 429 answers seen ${run.throttled}`);
      console.log(`  429s that reached a failure: ${run.failed} (target 0)`);
    }
    if (runs > 1) console.log(`  wall time, median of ${runs}: ${median(seconds).toFixed(2)} s (runs ${seconds.map((value) => value.toFixed(2)).join(', ')})`);
  } finally {
    await stack.stop();
  }
}

/**
 * `--compare C`: two stacks side by side (in memory) with the same N due secrets, the app at its
 * default settings and at ROTATION_CONCURRENCY=C (8: the fixed concurrency rotation had before it
 * adapted). For each latency of BENCH_LATENCY_MS (added to every Key Vault request; default
 * `0,10,20`), BENCH_RUNS runs alternate between the two, and the median ratio of their wall times
 * is printed.
 */
async function compareWith(baseline: number, secrets: number, runs: number): Promise<void> {
  const latencies = (process.env.BENCH_LATENCY_MS ?? '0,10,20').split(',').map(Number);
  if (latencies.some((latency) => !Number.isInteger(latency) || latency < 0)) throw new Error('BENCH_LATENCY_MS is a list of whole milliseconds, such as 0,10,20');
  const contenders = [
    { label: `ROTATION_CONCURRENCY=${baseline}`, settings: { ROTATION_CONCURRENCY: String(baseline) } },
    { label: `default (ROTATION_CONCURRENCY=${DEFAULT_SETTINGS.ROTATION_CONCURRENCY})`, settings: DEFAULT_SETTINGS },
  ];
  const stacks = await Promise.all(contenders.map((contender) => startBenchStack({ settings: contender.settings, inMemory: true })));
  try {
    for (const stack of stacks) await prepare(stack, secrets);
    console.log(`  ${secrets} due secrets per run, ${runs} runs each; ${contenders[1]!.label} against ${contenders[0]!.label} (target ≥ 1.5 × faster)`);
    const summary: string[] = [];
    for (const latencyMs of latencies) {
      for (const stack of stacks) await stack.admin('faults', { latencyMs });
      const ratios: number[] = [];
      for (let index = 1; index <= runs; index++) {
        // Alternating order: the machine drifts, and later runs meet more versions per secret.
        const measured: MeasuredRun[] = [];
        for (const which of index % 2 === 1 ? [0, 1] : [1, 0]) measured[which] = await measureRun(stacks[which]!);
        for (const [which, run] of measured.entries()) {
          if (run.rotated !== secrets || run.failed > 0) console.log(`  (warning: ${contenders[which]!.label}: ${run.summary})`);
        }
        const [old, current] = measured as [MeasuredRun, MeasuredRun];
        ratios.push(old.seconds / current.seconds);
        console.log(`  ${latencyMs} ms latency, run ${index}: ${old.seconds.toFixed(2)} s against ${current.seconds.toFixed(2)} s: ${ratios.at(-1)!.toFixed(2)} ×`);
      }
      summary.push(
        `  ${latencyMs} ms added to each Key Vault request: ${median(ratios).toFixed(2)} × faster (median of ${runs}; runs ${ratios.map((ratio) => ratio.toFixed(2)).join(', ')})`,
      );
    }
    console.log(summary.join('\n'));
  } finally {
    await Promise.all(stacks.map((stack) => stack.stop()));
  }
}

/** A run with nothing due first, so that no measured run pays for loading code and clients; then N due secrets. */
async function prepare(stack: BenchStack, secrets: number): Promise<void> {
  const { credential, options } = await stack.clientOptions();
  await runTimer(stack);
  console.log(`bench/rotation: creating ${secrets} secrets due for rotation …`);
  await createDueSecrets(new SecretClient(stack.vault.url, credential, options), secrets, true);
  runEndedAt.set(stack, Date.now());
}

interface MeasuredRun {
  seconds: number;
  /** The run's summary line, and how its concurrency followed the vault (when it met a 429). */
  summary: string;
  pace?: string;
  rotated: number;
  failed: number;
  accepted: number;
  throttled: number;
}

/** One timer run of a one-vault stack, every secret due again, the vault's limit window empty. */
async function measureRun(stack: BenchStack): Promise<MeasuredRun> {
  // Every secret is due again 1 s after its last rotation (PT1S).
  await sleep(Math.max(0, (runEndedAt.get(stack) ?? 0) + 1_500 - Date.now()));
  // Setting the limit also empties its window: every run starts with the same allowance.
  await stack.admin('faults', { limit: { enabled: true, ...LIMIT } });
  await stack.admin('reset', { counters: true, faults: false });
  const run = await runTimer(stack);
  runEndedAt.set(stack, Date.now());
  const lines = run.output.split('\n').map((line) => line.replace(/^\[[^\]]+\]\s*/, ''));
  const summary = lines.findLast((line) => line.includes('Rotation run:')) ?? '';
  return {
    seconds: run.seconds,
    summary,
    pace: lines.find((line) => line.includes('the vault answered 429')),
    rotated: Number(/(\d+) rotated/.exec(summary)?.[1] ?? 0),
    failed: Number(/(\d+) failed/.exec(summary)?.[1] ?? 0),
    ...(await requestCounts(stack)),
  };
}

interface VaultRun {
  rotated: number;
  failed: number;
  /** Failed rotations whose reason is Key Vault's 429 (surfaced 429s). */
  failed429: number;
  /** The vault's requests, answered 429 and otherwise (from the emulator's counters). */
  throttled: number;
  accepted: number;
  /** The vault's own run, from its run record. */
  seconds: number;
}

interface TimerRun {
  seconds: number;
  rotated: number;
  vaults: VaultRun[];
}

async function twoVaults(secrets: number, rounds: number): Promise<void> {
  const stack = await startBenchStack({ vaults: ['main', 'payments'], inMemory: true, settings: DEFAULT_SETTINGS });
  try {
    const { credential, options } = await stack.clientOptions();
    // The app calls the first vault `default` (KEYVAULT_URL), the other by its alias (KEYVAULTS).
    const vaults = [
      { alias: 'main', app: 'default', client: new SecretClient(stack.vaults['main']!, credential, options) },
      { alias: 'payments', app: 'payments', client: new SecretClient(stack.vaults['payments']!, credential, options) },
    ];
    const settings = JSON.parse(await readFile(new URL('../local.settings.json', import.meta.url), 'utf8')) as { Values?: { OPERATIONS_TABLE?: string } };
    const records = TableClient.fromConnectionString(stack.storage.connectionString, settings.Values?.OPERATIONS_TABLE || 'operations', { allowInsecureConnection: true });
    // A run with nothing due first, so that no measured run pays for loading code and clients.
    await runTimer(stack);
    console.log(`bench/rotation --vaults 2: creating ${secrets} secrets due for rotation in each of two vaults …`);
    await Promise.all(vaults.map((vault, index) => createDueSecrets(vault.client, secrets, index === 0)));
    let secondVaultDue = false;
    let lastRunEnded = Date.now();

    /** One timer run: N due secrets in the first vault, and in the second too when `both`. */
    const measure = async (both: boolean): Promise<TimerRun> => {
      if (secondVaultDue !== both) await setEnabled(vaults[1]!.client, secrets, (secondVaultDue = both));
      // Every secret is due again 1 s after its last rotation (PT1S).
      await sleep(Math.max(0, lastRunEnded + 1_500 - Date.now()));
      for (const vault of vaults) {
        // Setting the limit also empties its window: every run starts with the same allowance.
        await stack.admin('faults', { limit: { enabled: true, ...LIMIT } }, vault.alias);
        await stack.admin('reset', { counters: true, faults: false }, vault.alias);
      }
      const run = await runTimer(stack);
      lastRunEnded = Date.now();
      const results: VaultRun[] = [];
      for (const vault of vaults) {
        await stack.admin('faults', { limit: { enabled: false } }, vault.alias);
        const record = await records
          .getEntity<{ runId: string; rotated: number; failed: number; startedAt: string; finishedAt: string }>(
            'rotation-run',
            vault.app === 'default' ? 'latest-ran' : `latest-ran:${vault.app}`,
          )
          .catch(() => undefined);
        if (record?.runId !== run.id) {
          const said = run.output.split('\n').filter((line) => line.includes('Rotation run') || line.includes('rotation run'));
          throw new Error(`vault ${vault.alias} (${vault.app} in the app): no record of this run having worked; the run said:\n${said.join('\n')}`);
        }
        // The default vault's lines carry no prefix; another vault's say which.
        const own = (line: string) => (vault.app === 'default' ? !line.includes('[vault ') : line.includes(`[vault ${vault.app}]`));
        const failed429 = run.output.split('\n').filter((line) => own(line) && line.includes('Rotation of secret') && line.includes('answered 429')).length;
        const seconds = (Date.parse(record.finishedAt) - Date.parse(record.startedAt)) / 1000;
        results.push({ rotated: record.rotated, failed: record.failed, failed429, seconds, ...(await requestCounts(stack, vault.alias)) });
      }
      const rotated = sum(results, (result) => result.rotated);
      const due = both ? 2 * secrets : secrets;
      if (rotated !== due) console.log(`  (warning: ${rotated} rotated of ${due} due secrets)`);
      return { seconds: run.seconds, rotated, vaults: results };
    };

    const rate = LIMIT.requests / (LIMIT.windowMs / 1000);
    /** One run's figures; `vaultsDue` sets the limit it is measured against. */
    const describe = (run: TimerRun, vaultsDue: number) => {
      const accepted = sum(run.vaults, (vault) => vault.accepted);
      return (
        `${run.rotated} rotated in ${run.seconds.toFixed(1)} s, ${(run.rotated / run.seconds).toFixed(1)}/s (vault runs ${run.vaults.map((vault) => `${vault.seconds.toFixed(1)} s`).join(', ')}); ` +
        `429 answers ${run.vaults.map((vault) => vault.throttled).join(', ')}; failed ${sum(run.vaults, (vault) => vault.failed)} (for a 429: ${sum(run.vaults, (vault) => vault.failed429)}); ` +
        `${(accepted / Math.max(1, run.rotated)).toFixed(2)} requests per rotated secret; ${(accepted / run.seconds / (rate * vaultsDue)).toFixed(2)} of the limit`
      );
    };
    console.log(`  limit ${LIMIT.requests} requests per ${LIMIT.windowMs / 1000} s per vault; N = ${secrets} due secrets per vault; ${rounds} rounds`);
    const pairs: { one: TimerRun; two: TimerRun; ratio: number }[] = [];
    for (let round = 1; round <= rounds; round++) {
      // Alternating order: later runs meet more versions per secret, and the machine drifts.
      const runs = new Map<boolean, TimerRun>();
      for (const both of round % 2 === 1 ? [false, true] : [true, false]) runs.set(both, await measure(both));
      const [one, two] = [runs.get(false)!, runs.get(true)!];
      const ratio = two.rotated / two.seconds / (one.rotated / one.seconds);
      pairs.push({ one, two, ratio });
      console.log(`  round ${round} one vault:  ${describe(one, 1)}`);
      console.log(`  round ${round} two vaults: ${describe(two, 2)}`);
      console.log(`  round ${round} throughput ratio ${ratio.toFixed(2)}`);
    }
    const all = pairs.flatMap((pair) => [pair.one, pair.two]);
    const perSecret = (runs: TimerRun[]) => median(runs.map((run) => sum(run.vaults, (vault) => vault.accepted) / Math.max(1, run.rotated))).toFixed(2);
    console.log(
      `  throughput ratio, median of ${rounds}: ${median(pairs.map((pair) => pair.ratio)).toFixed(2)} (target ≥ 1.8; rounds ${pairs.map((pair) => pair.ratio.toFixed(2)).join(', ')})`,
    );
    console.log(
      `  Key Vault requests per rotated secret, median: one vault ${perSecret(pairs.map((pair) => pair.one))}, two vaults ${perSecret(pairs.map((pair) => pair.two))}`,
    );
    console.log(`  429 answers per vault (main, payments), all runs: ${vaults.map((_, index) => sum(all, (run) => run.vaults[index]!.throttled)).join(', ')}`);
    console.log(
      `  429s that surfaced as failed rotations: ${sum(all, (run) => sum(run.vaults, (vault) => vault.failed429))} (target 0); failed rotations ${sum(all, (run) => sum(run.vaults, (vault) => vault.failed))}`,
    );
    if (pairs.some((pair) => pair.one.vaults[0]!.throttled === 0)) {
      console.log('  (a one-vault run met no 429: it was not bound by the limit, so its ratio measures the machine rather than the per-vault limit; lower BENCH_LIMIT)');
    }
  } finally {
    await stack.stop();
  }
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}

/** `rot-0` … `rot-<count-1>`, due 1 s after each rotation. */
async function createDueSecrets(client: SecretClient, count: number, enabled: boolean): Promise<void> {
  await inParallel(count, (i) => client.setSecret(`rot-${i}`, 'initial-value', { enabled, tags: { 'rotation-interval': 'PT1S' } }));
}

async function setEnabled(client: SecretClient, count: number, enabled: boolean): Promise<void> {
  await inParallel(count, (i) => client.updateSecretProperties(`rot-${i}`, '', { enabled }));
}

async function inParallel(count: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

/** Invokes the timer through the host's admin API and waits until the host says it finished. */
async function runTimer(stack: BenchStack): Promise<{ id: string; seconds: number; output: string }> {
  const from = stack.output().length;
  const start = Date.now();
  const invoke = await fetch(`${stack.apiBaseUrl.replace(/\/api$/, '')}/admin/functions/rotation`, {
    method: 'POST',
    headers: { 'x-functions-key': stack.masterKey, 'content-type': 'application/json' },
    body: JSON.stringify({ input: '' }),
  });
  if (invoke.status !== 202) throw new Error(`admin invoke: HTTP ${invoke.status}`);
  for (;;) {
    const output = stack.output().slice(from);
    const executed = /Executed 'Functions\.rotation' \((\w+), Id=([^,]+), Duration=(\d+)ms\)/.exec(output);
    if (executed) {
      if (executed[1] !== 'Succeeded') console.log(`  (the timer run ended ${executed[1]})`);
      return { id: executed[2]!, seconds: Number(executed[3]) / 1000, output };
    }
    if (Date.now() - start > 15 * 60_000) throw new Error('the rotation run did not finish within 15 minutes');
    await sleep(250);
  }
}

/** The vault's requests since its counters were reset: answered 429, and all others. */
async function requestCounts(stack: BenchStack, vault?: string): Promise<{ accepted: number; throttled: number }> {
  const counters = await stack.admin('counters', undefined, vault);
  let accepted = 0;
  let throttled = 0;
  for (const operation of Object.values(counters.operations)) {
    for (const [status, count] of Object.entries(operation.statuses)) {
      if (status === '429') throttled += count;
      else accepted += count;
    }
  }
  return { accepted, throttled };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
