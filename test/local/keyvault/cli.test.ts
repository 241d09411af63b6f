// `npm run emulator`: realistic timing unless told otherwise, a random admin token in a ready file
// only its owner can read, and a clean stop when npm is signalled.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { request } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

interface EmulatorReadyFile {
  vaultUrl: string;
  vaults: Record<string, string>;
  caFile: string;
  adminUrl: string;
  adminToken: string;
}

async function startCli(args: string[]) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kv-cli-'));
  dirs.push(dir);
  const readyFile = path.join(dir, 'ready.json');
  const npm = spawn('npm', ['run', 'emulator', '--', '--port', '0', '--identity-port', '0', '--data', dir, '--ready-file', readyFile, ...args], {
    cwd: repoRoot,
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => npm.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const ready = JSON.parse(await readFile(readyFile, 'utf8')) as EmulatorReadyFile;
      return { npm, exited, ready, readyFile, ca: await readFile(ready.caFile, 'utf8') };
    } catch (error) {
      if (npm.exitCode !== null || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function admin(url: string, ca: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    request(url, { ca, headers }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    })
      .on('error', reject)
      .end();
  });
}

describe('npm run emulator', () => {
  it('runs realistic timing by default, guards the admin routes with a random token from its 0600 ready file, and stops on SIGTERM to npm', async () => {
    const { npm, exited, ready, readyFile, ca } = await startCli([]);
    try {
      expect((await stat(readyFile)).mode & 0o777).toBe(0o600);
      expect(ready.adminToken).toMatch(/^[\w-]{32}$/);
      expect((await admin(`${ready.adminUrl}/settings`, ca, {})).status).toBe(401);
      const settings = await admin(`${ready.adminUrl}/settings`, ca, { 'x-emulator-admin-token': ready.adminToken });
      expect(settings).toEqual({ status: 200, body: { timing: 'realistic', certificateCreateMs: 2000, deleteMs: 2000, recoverMs: 2000, purgeMs: 2000 } });
    } finally {
      npm.kill('SIGTERM');
    }
    expect(await exited).not.toBeNull();
    await expect(admin(`${ready.adminUrl}/health`, ca, {})).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('takes --timing and the durations', async () => {
    const { npm, exited, ready, ca } = await startCli(['--timing', 'instant', '--delete-ms', '500', '--admin-token', 'chosen-token']);
    try {
      const settings = await admin(`${ready.adminUrl}/settings`, ca, { 'x-emulator-admin-token': 'chosen-token' });
      expect(settings.body).toEqual({ timing: 'custom', certificateCreateMs: 0, deleteMs: 500, recoverMs: 0, purgeMs: 0 });
    } finally {
      npm.kill('SIGINT');
    }
    await exited;
  });

  it('takes --vaults: one URL per alias in the ready file, each with its own admin routes', async () => {
    const { npm, exited, ready, ca } = await startCli(['--vaults', 'main,payments', '--admin-token', 'chosen-token']);
    try {
      expect(Object.keys(ready.vaults)).toEqual(['main', 'payments']);
      expect(ready.vaults['main']).toBe(ready.vaultUrl);
      for (const [alias, url] of Object.entries(ready.vaults)) {
        const info = await admin(`${url}/_emulator/info`, ca, { 'x-emulator-admin-token': 'chosen-token' });
        expect(info.body).toMatchObject({ vault: alias, vaultUrl: url });
      }
    } finally {
      npm.kill('SIGTERM');
    }
    await exited;
  });
});
