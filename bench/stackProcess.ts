// The local stack as a separate process (`npm start`), for benchmarks that treat the vault as
// remote, as it is in Azure.
import { spawn } from 'node:child_process';
import https from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/identity';
import type { StackReadyFile } from '../local/stack/index.js';
import { stopChild } from '../local/stack/azurite.js';

export interface BenchStack extends StackReadyFile {
  /** Options for SDK clients that authenticate as the app does, against the same vault. */
  clientOptions(): Promise<{ credential: TokenCredential; options: { disableChallengeResourceVerification: true; tlsOptions: { ca: string } } }>;
  /** `/_emulator/<route>` of the first vault, or of `vault` (an alias of `vaults`): GET without a
   * body, PUT (POST for reset) with one. Counters and faults (the request limit too) are per vault. */
  admin<T = { operations: Record<string, { calls: number; statuses: Record<string, number> }> }>(route: string, body?: unknown, vault?: string): Promise<T>;
  /** Everything the stack (and the host in it) printed so far. */
  output(): string;
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  /** Serve several vaults by alias (`npm start -- --vaults a,b`); the first is the default vault. */
  vaults?: string[];
  /** Azurite and the vaults keep their data in memory (`npm start -- --in-memory`). On disk, each
   * writes one request at a time with a sync, for all vaults together. */
  inMemory?: boolean;
  /** App settings for the host, which win over local.settings.json (as real environment variables do). */
  settings?: Record<string, string>;
}

export async function startBenchStack(options: BenchStackOptions = {}): Promise<BenchStack> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-stack-'));
  const readyFile = path.join(dataDir, 'ready.json');
  const args = [
    '--random-ports',
    '--data-dir',
    dataDir,
    '--ready-file',
    readyFile,
    ...(options.vaults ? ['--vaults', options.vaults.join(',')] : []),
    ...(options.inMemory ? ['--in-memory'] : []),
  ];
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/stack/cli.ts', ...args], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: { ...process.env, ...options.settings },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // A benchmark that fails must not leave the stack running.
  process.once('exit', () => child.kill('SIGTERM'));
  let ready: StackReadyFile | undefined;
  for (let waited = 0; !ready; waited += 200) {
    try {
      ready = JSON.parse(await readFile(readyFile, 'utf8')) as StackReadyFile;
    } catch {
      if (child.exitCode !== null || waited > 120_000) throw new Error('the stack did not start');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const stack = ready;
  return {
    ...stack,
    async clientOptions() {
      return {
        credential: identityCredential(stack.identity),
        options: { disableChallengeResourceVerification: true, tlsOptions: { ca: await readFile(stack.vault.caFile, 'utf8') } },
      };
    },
    async admin(route, body, vault) {
      const ca = await readFile(stack.vault.caFile, 'utf8');
      const method = body === undefined ? 'GET' : route === 'reset' ? 'POST' : 'PUT';
      const vaultUrl = vault === undefined ? stack.vault.url : stack.vaults[vault];
      if (!vaultUrl) throw new Error(`the stack serves no vault '${vault}'`);
      return new Promise((resolve, reject) => {
        const request = https.request(
          `${vaultUrl}/_emulator/${route}`,
          { method, ca, headers: { 'content-type': 'application/json', 'x-emulator-admin-token': stack.vault.adminToken } },
          (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () => (response.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${route}: HTTP ${response.statusCode} ${text}`))));
          },
        );
        request.on('error', reject);
        request.end(body === undefined ? undefined : JSON.stringify(body));
      });
    },
    output: () => output,
    async stop() {
      await stopChild(child, 15_000);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Tokens from this stack's managed-identity endpoint, asked as App Service's protocol says. Not
 * ManagedIdentityCredential: it keeps one endpoint and token cache per process, and a benchmark
 * may run two stacks (each its own tenant) side by side.
 */
function identityCredential(identity: StackReadyFile['identity']): TokenCredential {
  return {
    async getToken(scopes): Promise<AccessToken> {
      const resource = [scopes].flat()[0]!.replace(/\/\.default$/, '');
      const url = `${identity.endpoint}?api-version=2019-08-01&resource=${encodeURIComponent(resource)}`;
      const response = await fetch(url, { headers: { 'x-identity-header': identity.header } });
      if (!response.ok) throw new Error(`the stack's identity endpoint answered ${response.status}`);
      const body = (await response.json()) as { access_token: string; expires_on: string };
      return { token: body.access_token, expiresOnTimestamp: Number(body.expires_on) * 1000 };
    },
  };
}
