// `npm start` is stopped the way process managers, IDE tasks and `kill` stop it: one signal to
// the npm process itself, nothing to the rest of its process group. Every process it started
// must be gone, and every port it held free, within 10 s.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StackReadyFile } from '../../../local/stack/index.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const STOP_LIMIT_MS = 10_000;

describe.concurrent('npm start stops cleanly', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to the npm process stops every child and frees every port`, async () => {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), `stack-${signal.toLowerCase()}-`));
      const readyFile = path.join(dataDir, 'ready.json');
      // No shell and no process group of our own: the signal reaches npm and nothing else.
      const npm = spawn('npm', ['start', '--', '--random-ports', '--data-dir', dataDir, '--ready-file', readyFile], {
        cwd: repoRoot,
        stdio: 'ignore',
      });
      try {
        const ready = await waitForReadyFile(readyFile, npm.pid!);
        const processes = await descendantsOf(npm.pid!);
        const ports = portsOf(ready);
        expect(processes.length).toBeGreaterThanOrEqual(3);
        expect(ports.length).toBe(6);
        for (const port of ports) expect(await isListening(port), `port ${port} before stop`).toBe(true);

        npm.kill(signal);
        const deadline = Date.now() + STOP_LIMIT_MS;
        let running = processes;
        while (running.length > 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          running = running.filter(isAlive);
        }
        expect(running, `processes still running ${STOP_LIMIT_MS} ms after ${signal}`).toEqual([]);
        for (const port of ports) expect(await isListening(port), `port ${port} after stop`).toBe(false);
      } finally {
        for (const pid of await descendantsOf(npm.pid!).catch(() => [])) killQuietly(pid);
        killQuietly(npm.pid!);
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  }
});

async function waitForReadyFile(file: string, npmPid: number): Promise<StackReadyFile> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as StackReadyFile;
    } catch (error) {
      if (!isAlive(npmPid) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Every port the stack listens on: host, vault, identity endpoint, blob, queue, table. */
function portsOf(ready: StackReadyFile): number[] {
  const urls = [ready.apiBaseUrl, ready.vault.url, ready.identity.endpoint, ready.storage.blobUrl, ready.storage.queueUrl, ready.storage.tableUrl];
  return urls.map((url) => Number(new URL(url).port));
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Process ids below `pid`, from /proc (Linux). */
async function descendantsOf(pid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // `pid (comm) state ppid …`; comm may hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) parents.set(Number(entry), ppid);
  }
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return found;
}

function isAlive(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // A zombie (state Z) has exited; it holds nothing but its exit status.
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
