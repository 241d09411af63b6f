// Start-up and shutdown of the host: hooks order, graceful drain, keys kept across restarts,
// the ready file, a busy port, and the CLI.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startHost } from '../../../local/host/index.js';
import { CJS_APP, readLines, REPO_ROOT, startTestHost, tempDir, waitFor, type TestHost } from './hostHarness.js';

const started: TestHost[] = [];
afterAll(async () => {
  await Promise.all(started.map((h) => h.stop()));
});

function storageEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { AzureWebJobsStorage: inject('storage').connectionString, ...extra };
}

describe('hooks and graceful shutdown', () => {
  it('runs appStart, pre/post invocation and appTerminate in order, and drains an in-flight request', async () => {
    const hookLog = path.join(tempDir('hooks'), 'hooks.log');
    const host = await startTestHost({ appDir: CJS_APP, env: storageEnv({ HOOK_LOG: hookLog }) });
    expect(readLines(hookLog)).toEqual(['appStart']);

    expect((await fetch(`${host.baseUrl}/api/hello`)).status).toBe(200);
    expect((await fetch(`${host.baseUrl}/api/fails`)).status).toBe(500);

    const slow = fetch(`${host.baseUrl}/api/slow?ms=1500`).then(async (r) => ({ status: r.status, text: await r.text() }));
    await waitFor(() => (readLines(hookLog).includes('preInvocation:slow') ? true : undefined), 'slow to start');
    await host.stop();
    expect(await slow).toEqual({ status: 200, text: 'done' });

    expect(readLines(hookLog)).toEqual([
      'appStart',
      'preInvocation:hello',
      'postInvocation:hello:hello:ok',
      'preInvocation:fails',
      'postInvocation:fails:fails:error',
      'preInvocation:slow',
      'postInvocation:slow:slow:ok',
      'appTerminate:set-in-appStart',
    ]);
    await expect(fetch(`${host.baseUrl}/api/hello`)).rejects.toThrow();
  });
});

describe('keys, ready file and port', () => {
  it('keeps keys in <dataDir>/keys.json across restarts and writes the ready file', async () => {
    const dataDir = tempDir('host-keys');
    const readyFile = path.join(tempDir('ready'), 'sub', 'ready.json');
    const first = await startTestHost({ appDir: CJS_APP, dataDir, readyFile, env: storageEnv() });
    const ready = JSON.parse(readFileSync(readyFile, 'utf8'));
    expect(ready).toMatchObject({ baseUrl: `http://localhost:${first.port}`, functionKey: first.functionKey, masterKey: first.masterKey });
    expect(ready.functions).toContainEqual({ name: 'hello', trigger: 'httpTrigger', route: 'api/hello', methods: ['GET', 'POST'] });
    expect(Object.keys(ready).sort()).toEqual(['baseUrl', 'bindAddress', 'functionKey', 'functions', 'masterKey']);
    expect(ready.bindAddress).toBe('127.0.0.1');
    expect(first.functionKey).not.toBe(first.masterKey);
    expect(first.functionKey.length).toBeGreaterThanOrEqual(40);
    await first.stop();
    expect(existsSync(path.join(dataDir, 'keys.json'))).toBe(true);

    const second = await startTestHost({ appDir: CJS_APP, dataDir, env: storageEnv() });
    started.push(second);
    expect(second.functionKey).toBe(first.functionKey);
    expect(second.masterKey).toBe(first.masterKey);
    const other = await startTestHost({ appDir: CJS_APP, env: storageEnv() });
    started.push(other);
    expect(other.functionKey).not.toBe(first.functionKey);
  });

  it('fails at once with a message naming a busy port', async () => {
    const running = started[0] ?? (await startTestHost({ appDir: CJS_APP, env: storageEnv() }));
    await expect(startHost({ appDir: CJS_APP, port: running.port, dataDir: tempDir('busy'), env: storageEnv(), log: () => undefined })).rejects.toThrow(
      `Port ${running.port} is unavailable`,
    );
  });
});

describe('CLI', () => {
  it('runs `tsx local/host/cli.ts --app <dir> --port 0 --ready-file F` and exits 0 on SIGTERM', async () => {
    const dir = tempDir('cli');
    const readyFile = path.join(dir, 'ready.json');
    const hookLog = path.join(dir, 'hooks.log');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'local/host/cli.ts', '--app', CJS_APP, '--port', '0', '--ready-file', readyFile, '--data-dir', path.join(dir, 'data')],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...storageEnv({ HOOK_LOG: hookLog }) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const ready = await waitFor(() => (existsSync(readyFile) ? JSON.parse(readFileSync(readyFile, 'utf8')) : undefined), 'ready file', 60_000);
    expect(await (await fetch(`${ready.baseUrl}/api/hello?name=cli`)).text()).toBe('Hello, cli (cjs)');
    expect(output).toContain('Functions:');
    expect(output).toMatch(/ {2}hello: \[GET,POST\] http:\/\/localhost:\d+\/api\/hello/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(readLines(hookLog).at(-1)).toBe('appTerminate:set-in-appStart');
  });

  it('exits 1 with a clear message when the port is busy', async () => {
    const running = started[0]!;
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/host/cli.ts', '--app', CJS_APP, '--port', String(running.port), '--data-dir', tempDir('cli-busy')], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...storageEnv() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(output).toContain(`Port ${running.port} is unavailable`);
  });

  it('leaves no worker behind when the host process is killed with SIGKILL', async () => {
    const dir = tempDir('cli-kill');
    const readyFile = path.join(dir, 'ready.json');
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/host/cli.ts', '--app', CJS_APP, '--port', '0', '--ready-file', readyFile, '--data-dir', dir], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...storageEnv() },
      stdio: 'ignore',
    });
    await waitFor(() => (existsSync(readyFile) ? true : undefined), 'ready file', 60_000);
    const workerPids = execFileSync('pgrep', ['-P', String(child.pid)])
      .toString()
      .trim()
      .split('\n')
      .map(Number);
    expect(workerPids).toHaveLength(1);
    child.kill('SIGKILL');
    await waitFor(() => (isAlive(workerPids[0]!) ? undefined : true), 'the worker to exit', 15_000);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
