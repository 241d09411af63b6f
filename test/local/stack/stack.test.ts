import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ManagedIdentityCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../../support/api.js';

const stack = inject('stack');
const repoRoot = path.resolve(import.meta.dirname, '../../..');

describe('the local stack', () => {
  it('serves the app: anonymous health answers 200', async () => {
    const response = await fetch(`${stack.apiBaseUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'Healthy' });
    expect(response.headers.get('x-ms-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('hands out storage endpoints and keys', () => {
    expect(stack.apiBaseUrl).toMatch(/^http:\/\/localhost:\d+\/api$/);
    expect(stack.functionKey).toMatch(/^\S{20,}$/);
    expect(stack.masterKey).not.toBe(stack.functionKey);
    expect(stack.storage.connectionString).toContain(`QueueEndpoint=${stack.storage.queueUrl}`);
  });

  it('runs the tests as `npm start -- --vaults main,payments` does: both vaults from one emulator, `main` the default', async () => {
    expect(Object.keys(stack.vaults)).toEqual(['main', 'payments']);
    expect(stack.vaults['main']).toBe(stack.vault.url);
    const ca = await readFile(stack.vault.caFile, 'utf8');
    for (const url of Object.values(stack.vaults)) {
      const info = await getJson(`${url}/_emulator/info`, ca, { 'x-emulator-admin-token': stack.vault.adminToken });
      expect(info.vaults, url).toEqual(stack.vaults);
    }
  });

  it('answers 404 for an unknown route', async () => {
    const response = await fetch(`${stack.apiBaseUrl}/no-such-route`);
    expect(response.status).toBe(404);
  });

  it('`npm start` fails at once, naming the port, when the host port is busy', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'stack-busy-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'local/stack/cli.ts', '--random-ports', '--port', String(port), '--data-dir', dataDir], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      expect(output).toContain(`Port ${port}`);
      expect(output).toMatch(/already in use/);
    } finally {
      blocker.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('writes the ready file with the documented shape', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'stack-ready-'));
    const readyFile = path.join(dataDir, 'ready.json');
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/stack/cli.ts', '--random-ports', '--data-dir', dataDir, '--ready-file', readyFile], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const ready = await waitForJson(readyFile, 60_000);
      expect(Object.keys(ready).sort()).toEqual(['apiBaseUrl', 'dataDir', 'functionKey', 'identity', 'masterKey', 'storage', 'vault', 'vaults']);
      expect(Object.keys(ready.storage as object).sort()).toEqual(['blobUrl', 'connectionString', 'queueUrl', 'tableUrl']);
      expect(Object.keys(ready.vault as object).sort()).toEqual(['adminToken', 'adminUrl', 'caFile', 'url']);
      // It holds keys and the emulator's admin token: readable by its owner only.
      expect((await stat(readyFile)).mode & 0o777).toBe(0o600);
      const vault = ready.vault as { url: string; adminUrl: string; adminToken: string; caFile: string };
      const ca = await readFile(vault.caFile, 'utf8');
      expect(await statusOf(`${vault.adminUrl}/counters`, ca, {})).toBe(401);
      expect(await statusOf(`${vault.adminUrl}/counters`, ca, { 'x-emulator-admin-token': vault.adminToken })).toBe(200);
      expect(ready.vaults).toEqual({ default: vault.url });
      expect(Object.keys(ready.identity as object).sort()).toEqual(['endpoint', 'header', 'principals', 'tenantId']);
      const health = await fetch(`${ready.apiBaseUrl as string}/health`);
      expect(health.status).toBe(200);
      await waitFor(() => output.includes('Local stack ready'), 10_000);
      expect(output).toContain('Function key');
      expect(output).toContain('Key Vault');
    } finally {
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(0);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('`npm start -- --vaults main,payments` serves both vaults from one emulator and lists them in the ready file', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'stack-vaults-'));
    const readyFile = path.join(dataDir, 'ready.json');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'local/stack/cli.ts', '--random-ports', '--vaults', 'main,payments', '--data-dir', dataDir, '--ready-file', readyFile],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const ready = (await waitForJson(readyFile, 60_000)) as {
        vault: { url: string; caFile: string; adminToken: string };
        vaults: Record<string, string>;
        identity: { endpoint: string; header: string };
        apiBaseUrl: string;
        functionKey: string;
      };
      expect(Object.keys(ready.vaults)).toEqual(['main', 'payments']);
      expect(ready.vaults['main']).toBe(ready.vault.url);
      expect(ready.vaults['payments']).not.toBe(ready.vault.url);
      const ca = await readFile(ready.vault.caFile, 'utf8');
      process.env['IDENTITY_ENDPOINT'] = ready.identity.endpoint;
      process.env['IDENTITY_HEADER'] = ready.identity.header;
      const clients = Object.fromEntries(
        Object.entries(ready.vaults).map(([alias, url]) => [
          alias,
          new SecretClient(url, new ManagedIdentityCredential(), { tlsOptions: { ca }, disableChallengeResourceVerification: true }),
        ]),
      );
      await clients['payments']!.setSecret('stack-vaults', 'payments');
      expect((await clients['payments']!.getSecret('stack-vaults')).value).toBe('payments');
      await expect(clients['main']!.getSecret('stack-vaults')).rejects.toMatchObject({ statusCode: 404 });
      // One emulator serves both: each vault's admin info lists both.
      for (const url of Object.values(ready.vaults)) {
        expect((await getJson(`${url}/_emulator/info`, ca, { 'x-emulator-admin-token': ready.vault.adminToken })).vaults).toEqual(ready.vaults);
      }
      // The app serves both: a secret set under /api/vaults/payments/ lands in that vault.
      const api = new ApiClient(ready.apiBaseUrl, ready.functionKey);
      expect((await api.put('/vaults/payments/secrets/stack-api', { value: 'via-api' })).status).toBe(201);
      expect((await clients['payments']!.getSecret('stack-api')).value).toBe('via-api');
      await expect(clients['main']!.getSecret('stack-api')).rejects.toMatchObject({ statusCode: 404 });
      await waitFor(() => output.includes('Local stack ready'), 10_000);
      expect(output).toContain('Key Vault main');
      expect(output).toContain('Key Vault payments');
    } finally {
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(0);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('`npm start -- --vaults` refuses an invalid alias', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/stack/cli.ts', '--random-ports', '--vaults', 'main,Main'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(output).toContain(`'Main' is not a valid alias`);
  });
});

/** This stack has a CA of its own, which fetch cannot be told to trust. */
function statusOf(url: string, ca: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca, headers }, (response) => resolve(response.resume().statusCode ?? 0)).on('error', reject);
  });
}

/** GET of a JSON answer over the stack's own CA; fails unless 200. */
function getJson(url: string, ca: string, headers: Record<string, string>): Promise<any> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, headers }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => (response.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`GET ${url}: ${response.statusCode} ${text}`))));
      })
      .on('error', reject);
  });
}

async function waitForJson(file: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
