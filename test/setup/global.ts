// Starts the local stack (Azurite + the Functions host running this app) once per test run on
// random ports, and hands its addresses to the tests through vitest's provide/inject. It serves
// two vaults, as `npm start -- --vaults main,payments` does: `main` is the default vault
// (KEYVAULT_URL, `stack.vault`), and the app also gets KEYVAULTS=main=…,payments=…, so every
// vault route answers under /api/vaults/payments/… (`stack.vaults` holds both URLs).
import { appendFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startStack, type RunningStack, type StackReadyFile } from '../../local/stack/index.js';

export interface StorageInfo {
  connectionString: string;
  queueUrl: string;
  tableUrl: string;
  blobUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    storage: StorageInfo;
    stack: StackReadyFile & { hostLogFile: string };
  }
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let stack: RunningStack | undefined;
let dataDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'kv-functions-test-'));
  // Every line the host prints during the run, for tests that scan logs (e.g. for canary values).
  const hostLogFile = path.join(dataDir, 'host.log');
  stack = await startStack({
    appDir: repoRoot,
    dataDir,
    ports: 'random',
    inMemory: true,
    vaults: ['main', 'payments'],
    // Whatever a developer's local.settings.json says: the tests purge what they delete.
    settings: { ALLOW_PURGE: 'true' },
    output: (chunk) => appendFileSync(hostLogFile, chunk),
  });
  project.provide('storage', stack.storage);
  project.provide('stack', {
    apiBaseUrl: stack.apiBaseUrl,
    functionKey: stack.functionKey,
    masterKey: stack.masterKey,
    storage: stack.storage,
    vault: stack.vault,
    vaults: stack.vaults,
    identity: stack.identity,
    dataDir: stack.dataDir,
    hostLogFile,
  });
  // Test processes (forked after this) talk to the same vault with the SDK: trust the stack's CA.
  process.env.NODE_EXTRA_CA_CERTS = stack.vault.caFile;
}

export async function teardown(): Promise<void> {
  await stack?.stop();
  // Tests send secret values marked CANARY-; none may ever reach the host's output.
  const log = dataDir ? await readFile(path.join(dataDir, 'host.log'), 'utf8').catch(() => '') : '';
  const leaks = log.split('\n').filter((line) => line.includes('CANARY-'));
  if (leaks.length > 0) throw new Error(`${leaks.length} host log line(s) contain a canary secret value`);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
