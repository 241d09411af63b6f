// The inventory of 10,000 objects (9,900 secrets with a mix of rotation policies and expiries, 100
// certificates), built by a timer run through the local host while the emulator enforces Key
// Vault's throttle limit (4,000 requests per 10 s per vault). Baseline, in the same process: the
// reads every run makes anyway (listing the properties of every secret and certificate with the
// SDK). Prints the run against that baseline and against the run's budget (host.json's
// functionTimeout), and what serving the inventory costs.
import { readFile } from 'node:fs/promises';
import { CertificateClient } from '@azure/keyvault-certificates';
import { SecretClient } from '@azure/keyvault-secrets';
import { startBenchStack } from './stackProcess.js';

const SECRETS = Number(process.env.BENCH_SECRETS ?? 9_900);
const CERTIFICATES = Number(process.env.BENCH_CERTIFICATES ?? 100);
const LIMIT = { requests: 4_000, windowMs: 10_000 };
const DAY = 86_400_000;

const hostJson = JSON.parse(await readFile(new URL('../host.json', import.meta.url), 'utf8')) as { functionTimeout: string };
const [h, m, s] = hostJson.functionTimeout.split(':').map(Number) as [number, number, number];
const budgetSeconds = h * 3600 + m * 60 + s;

const inParallel = async (count: number, width: number, work: (i: number) => Promise<unknown>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await work(next++);
    }),
  );
};
const seconds = async (work: () => Promise<unknown>) => {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
};

const stack = await startBenchStack();
try {
  const { credential, options } = await stack.clientOptions();
  const secrets = new SecretClient(stack.vault.url, credential, options);
  const certificates = new CertificateClient(stack.vault.url, credential, options);
  console.log(`bench/inventory: creating ${SECRETS} secrets and ${CERTIFICATES} certificates …`);
  await inParallel(SECRETS, 32, (i) => {
    const kind = i % 3;
    const tags: Record<string, string> = kind === 0 ? { 'rotation-interval': 'P30D', team: `team-${i % 7}` } : { team: `team-${i % 7}` };
    return secrets.setSecret(`inv-${i}`, 'bench-value', { tags, expiresOn: kind === 1 ? new Date(Date.now() + ((i % 90) + 1) * DAY) : undefined });
  });
  await inParallel(CERTIFICATES, 8, async (i) => {
    const poller = await certificates.beginCreateCertificate(`inv-cert-${i}`, { issuerName: 'Self', subject: `CN=inv-cert-${i}`, validityInMonths: 1 + (i % 12) });
    await poller.pollUntilDone();
  });

  await stack.admin('faults', { limit: { enabled: true, ...LIMIT } });
  const baseline = await seconds(async () => {
    for await (const _ of secrets.listPropertiesOfSecrets());
    for await (const _ of certificates.listPropertiesOfCertificates());
  });

  const runsBefore = (stack.output().match(/Rotation run:/g) ?? []).length;
  const run = await seconds(async () => {
    const invoke = await fetch(`${stack.apiBaseUrl.replace(/\/api$/, '')}/admin/functions/rotation`, {
      method: 'POST',
      headers: { 'x-functions-key': stack.masterKey, 'content-type': 'application/json' },
      body: JSON.stringify({ input: '' }),
    });
    if (invoke.status !== 202) throw new Error(`admin invoke: HTTP ${invoke.status}`);
    while ((stack.output().match(/Rotation run:/g) ?? []).length === runsBefore) await new Promise((resolve) => setTimeout(resolve, 100));
  });

  let body = '';
  const serve = await seconds(async () => {
    const response = await fetch(`${stack.apiBaseUrl}/inventory`, { headers: { 'x-functions-key': stack.functionKey } });
    body = await response.text();
    if (response.status !== 200) throw new Error(`GET /api/inventory: HTTP ${response.status}`);
  });
  const inventory = JSON.parse(body) as { vaults: { complete: boolean; source?: string }[]; items: unknown[] };

  console.log(`  inventory: ${inventory.items.length} objects, complete: ${inventory.vaults.every((vault) => vault.complete)}, source: ${inventory.vaults[0]?.source}`);
  console.log(`  baseline (SDK listing of every object's properties): ${baseline.toFixed(1)} s`);
  console.log(`  timer run (listing, renewal checks, inventory written to blob): ${run.toFixed(1)} s = ${(run / baseline).toFixed(2)} × baseline`);
  console.log(`  run against its budget (functionTimeout ${hostJson.functionTimeout}): ${((100 * run) / budgetSeconds).toFixed(1)} %`);
  console.log(`  GET /api/inventory: ${(body.length / 1e6).toFixed(1)} MB in ${serve.toFixed(2)} s = ${(serve / baseline).toFixed(2)} × baseline`);
} finally {
  await stack.stop();
}
