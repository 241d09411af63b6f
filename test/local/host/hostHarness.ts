// Starts a local host on a random port for one test file and keeps its output lines.
import { mkdtempSync, readFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHost, type RunningHost, type StartHostOptions } from '../../../local/host/index.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CJS_APP = path.join(REPO_ROOT, 'test/fixtures/cjs-app');
export const ESM_APP = path.join(REPO_ROOT, 'test/fixtures/esm-app');

export interface TestHost extends RunningHost {
  lines: string[];
  dataDir: string;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `${prefix}-`));
}

export async function startTestHost(options: Partial<StartHostOptions> & { appDir: string }): Promise<TestHost> {
  const lines: string[] = [];
  const dataDir = options.dataDir ?? tempDir('host-data');
  const host = await startHost({ port: 0, dataDir, ...options, log: (line) => lines.push(line) });
  return Object.assign(host, { lines, dataDir });
}

/** Polls `check` until it returns a value (not undefined) or the time runs out. */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function readLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** A throwaway app folder whose `@azure/functions` resolves to the repository's copy. */
export function makeTempApp(files: Record<string, string>): string {
  const dir = tempDir('host-app');
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const defaults: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'temp-app', main: 'functions/*.js' }),
    'host.json': JSON.stringify({ version: '2.0' }),
    'local.settings.json': JSON.stringify({ IsEncrypted: false, Values: {} }),
  };
  for (const [name, content] of Object.entries({ ...defaults, ...files })) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return dir;
}
