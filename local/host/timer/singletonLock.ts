// A timer runs in one host at a time (Azure uses a blob lease keyed by host id). Locally, two host
// processes can share a data folder, so a lock file per timer decides which one fires it.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

interface Holder {
  pid: number;
  token: string;
}

// A lock file nobody could parse for this long was left half-written by a crash.
const UNREADABLE_STALE_MS = 10_000;

export class TimerSingletonLock {
  private readonly token = randomUUID();
  private held = false;

  constructor(readonly file: string) {}

  /** The holder's pid when another live host holds the lock, else undefined (and the lock is ours). */
  async acquire(): Promise<number | undefined> {
    if (this.held) return undefined;
    await mkdir(path.dirname(this.file), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(this.file, JSON.stringify({ pid: process.pid, token: this.token } satisfies Holder), { flag: 'wx' });
        this.held = true;
        return undefined;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await this.readHolder();
      if (holder === 'gone') continue;
      if (holder !== 'unreadable' && isAlive(holder.pid)) return holder.pid;
      if (holder === 'unreadable' && !(await this.olderThan(UNREADABLE_STALE_MS))) return -1;
      await unlink(this.file).catch(() => undefined);
    }
    return -1;
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    const holder = await this.readHolder();
    if (typeof holder === 'object' && holder.token === this.token) await unlink(this.file).catch(() => undefined);
  }

  private async readHolder(): Promise<Holder | 'gone' | 'unreadable'> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return 'gone';
    }
    try {
      const holder = JSON.parse(text) as Partial<Holder>;
      return typeof holder.pid === 'number' && typeof holder.token === 'string' ? { pid: holder.pid, token: holder.token } : 'unreadable';
    } catch {
      return 'unreadable';
    }
  }

  private async olderThan(ms: number): Promise<boolean> {
    try {
      return Date.now() - (await stat(this.file)).mtimeMs > ms;
    } catch {
      return true;
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
