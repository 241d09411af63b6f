// File mode: data, identity key and tenant survive a restart and a kill -9; a multi-object write
// killed mid-way leaves a consistent store.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SecretClient } from '@azure/keyvault-secrets';
import { ManagedIdentityCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../../local/keyvault/index.js';
import { FileVaultStore } from '../../../local/keyvault/store/file.js';
import { localSecretClient, rawRequest, startTestEmulator, tokenFor } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'kv-persist-'));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`timeout waiting for ${pattern}; output: ${buffer}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = pattern.exec(buffer);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    child.once('exit', (code) => reject(new Error(`child exited (${code}); output: ${buffer}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('file persistence', () => {
  it('keeps secrets, deleted state, tenant, identities and accepts old tokens after a restart', async () => {
    const dir = path.join(dataDir, 'restart');
    const first = await startTestEmulator({ dataDir: dir, inMemory: false });
    const client = localSecretClient(first);
    await client.setSecret('keep', 'v1');
    await client.setSecret('keep', 'v2', { tags: { a: 'b' } });
    await client.setSecret('gone', 'x');
    await (await client.beginDeleteSecret('gone')).pollUntilDone();
    const oldToken = await tokenFor(first);
    const tenant = first.tenantId;
    const principal = first.principals[0]!;
    await first.stop();

    const second = await startTestEmulator({ dataDir: dir, inMemory: false });
    try {
      expect(second.port).not.toBe(first.port);
      expect(second.tenantId).toBe(tenant);
      expect(second.principals[0]).toMatchObject({ clientId: principal.clientId, objectId: principal.objectId });
      const res = await rawRequest(second, { path: '/secrets/keep/?api-version=2026-04-01', headers: { authorization: `Bearer ${oldToken}` } });
      expect(res.status).toBe(200);
      expect((res.json() as { value: string; tags: unknown }).value).toBe('v2');
      const again = localSecretClient(second);
      const versions = [];
      for await (const v of again.listPropertiesOfSecretVersions('keep')) versions.push(v.version);
      expect(versions).toHaveLength(2);
      await expect(again.setSecret('gone', 'y')).rejects.toMatchObject({ statusCode: 409 });
      expect((await again.getDeletedSecret('gone')).name).toBe('gone');
    } finally {
      await second.stop();
    }
  });

  it('the CLI survives kill -9: acknowledged writes are there after restart', async () => {
    // Same data dir as above on purpose: msal-node caches managed-identity tokens per process
    // (keyed by identity + resource, not endpoint), so a second identity key would be rejected.
    const dir = path.join(dataDir, 'restart');
    const readyFile = path.join(dir, 'ready.json');
    const start = () => {
      const child = spawn(process.execPath, ['local/keyvault/bin.js', '--port', '0', '--data', dir, '--ready-file', readyFile], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return child;
    };
    const child = start();
    try {
      await waitForLine(child, /Key Vault emulator\s+https:\/\/\S+/);
      const ready = JSON.parse(await readFile(readyFile, 'utf8')) as Record<string, string>;
      expect(Object.keys(ready)).toEqual(expect.arrayContaining(['vaultUrl', 'caFile', 'identityEndpoint', 'identityHeader', 'tenantId', 'principals']));
      process.env['IDENTITY_ENDPOINT'] = ready['identityEndpoint'];
      process.env['IDENTITY_HEADER'] = ready['identityHeader'];
      const caPem = await readFile(ready['caFile']!, 'utf8');
      const client = new SecretClient(ready['vaultUrl']!, new ManagedIdentityCredential(), {
        tlsOptions: { ca: caPem },
        disableChallengeResourceVerification: true,
      });
      for (let i = 0; i < 20; i++) await client.setSecret(`k${i}`, `value-${i}`);
    } finally {
      await killed(child);
    }
    const restarted = await startEmulator({ port: 0, dataDir: dir });
    try {
      process.env['IDENTITY_ENDPOINT'] = restarted.identityEndpoint;
      process.env['IDENTITY_HEADER'] = restarted.identityHeader;
      const client = localSecretClient(restarted);
      for (let i = 0; i < 20; i++) expect((await client.getSecret(`k${i}`)).value).toBe(`value-${i}`);
    } finally {
      await restarted.stop();
    }
  });

  it('a multi-object write killed at random points never leaves a half-written store', async () => {
    const dir = path.join(dataDir, 'torn');
    for (let attempt = 0; attempt < 5; attempt++) {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/storeWriter.ts'), dir], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      await waitForLine(child, /ready/);
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.floor(Math.random() * 400)));
      await killed(child);

      const store = await FileVaultStore.open(dir);
      for (let i = 0; i < 5; i++) {
        const versions = ['certificate', 'key', 'secret'].map((kind) => store.get('localhost', kind, `obj-${i}`)?.versions.at(-1)?.version);
        // All three objects of a round agree (or none was written yet).
        expect(new Set(versions).size, `obj-${i} after kill ${attempt}: ${versions.join(',')}`).toBe(1);
      }
      expect(store.get('localhost', 'secret', 'counter')?.meta?.['round']).toBeGreaterThan(0);
      await store.close();
      const leftovers = (await readdir(path.join(dir, 'vaults', 'localhost', 'secret'))).filter((f) => !f.endsWith('.json'));
      expect(leftovers).toEqual([]);
    }
  });
});
