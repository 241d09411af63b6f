// File-backed VaultStore: the memory model plus one JSON file per object, written atomically
// (temp file + fsync + rename + directory fsync). A transaction touching several objects is
// first written as one journal file (itself atomic); after a crash the journal is replayed on
// load, so a kill -9 never leaves e.g. a certificate without its backing key and secret.
//
// Layout: <dir>/vaults/<vault>/<kind>/<name-key>.json, <dir>/journal.json
import { mkdir, readdir, readFile, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDirectory, TEMP_MARKER, writeFileAtomic } from '../../shared/atomicFile.js';
import { MemoryVaultStore, type StoreChange } from './memory.js';
import type { StoredObject } from './types.js';

const JOURNAL = 'journal.json';

/** Maps an arbitrary key to a file-name-safe segment (reversible). */
function toSegment(value: string): string {
  return /^[a-z0-9][a-z0-9.-]*$/.test(value) ? value : `~${Buffer.from(value, 'utf8').toString('hex')}`;
}

function fromSegment(segment: string): string {
  return segment.startsWith('~') ? Buffer.from(segment.slice(1), 'hex').toString('utf8') : segment;
}

export class FileVaultStore extends MemoryVaultStore {
  private readonly dir: string;
  /** Serialises disk writes so files always follow the in-memory commit order. */
  private queue: Promise<void> = Promise.resolve();

  private constructor(dir: string) {
    super();
    this.dir = dir;
  }

  /** Opens (creating if needed) a store under `dir`, replaying an interrupted journal first. */
  static async open(dir: string): Promise<FileVaultStore> {
    const store = new FileVaultStore(dir);
    await mkdir(path.join(dir, 'vaults'), { recursive: true });
    await store.replayJournal();
    await store.load();
    return store;
  }

  private objectFile(change: Pick<StoreChange, 'vault' | 'kind' | 'key'>): string {
    return path.join(this.dir, 'vaults', toSegment(change.vault), toSegment(change.kind), `${toSegment(change.key)}.json`);
  }

  private async writeChange(change: StoreChange): Promise<void> {
    const file = this.objectFile(change);
    if (change.object) {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFileAtomic(file, JSON.stringify(change.object));
    } else {
      await rm(file, { force: true });
    }
  }

  protected override persist(changes: readonly StoreChange[]): Promise<void> {
    const run = async () => {
      if (changes.length === 1) {
        await this.writeChange(changes[0]!);
        return;
      }
      const journal = path.join(this.dir, JOURNAL);
      await writeFileAtomic(journal, JSON.stringify(changes));
      for (const change of changes) await this.writeChange(change);
      await unlink(journal);
      await fsyncDirectory(this.dir);
    };
    const next = this.queue.then(run);
    // Keep the chain alive after a failure; the caller still sees the error.
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async replayJournal(): Promise<void> {
    const journal = path.join(this.dir, JOURNAL);
    let text: string;
    try {
      text = await readFile(journal, 'utf8');
    } catch {
      return;
    }
    const changes = JSON.parse(text) as StoreChange[];
    for (const change of changes) await this.writeChange(change);
    await unlink(journal);
  }

  private async load(): Promise<void> {
    const root = path.join(this.dir, 'vaults');
    const changes: StoreChange[] = [];
    for (const vaultDir of await readdir(root)) {
      for (const kindDir of await readdir(path.join(root, vaultDir)).catch(() => [])) {
        const dir = path.join(root, vaultDir, kindDir);
        for (const file of await readdir(dir).catch(() => [])) {
          const full = path.join(dir, file);
          if (file.includes(TEMP_MARKER)) {
            // A write that never reached its rename: the previous file content is still intact.
            await rm(full, { force: true });
            continue;
          }
          if (!file.endsWith('.json')) continue;
          const object = JSON.parse(await readFile(full, 'utf8')) as StoredObject<unknown, unknown>;
          changes.push({
            vault: fromSegment(vaultDir),
            kind: fromSegment(kindDir),
            key: fromSegment(file.slice(0, -'.json'.length)),
            object,
          });
        }
      }
    }
    this.apply(changes);
  }

  override async clear(): Promise<void> {
    await this.queue;
    await super.clear();
    await rm(path.join(this.dir, 'vaults'), { recursive: true, force: true });
    await mkdir(path.join(this.dir, 'vaults'), { recursive: true });
  }

  override async close(): Promise<void> {
    await this.queue;
  }
}
