// Files that readers (and a restart after kill -9) see either whole or not at all: write to a
// temporary file, fsync it, rename it over the target, fsync the directory.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import path from 'node:path';

/** Temporary files carry this in their name, so that a loader can skip (and remove) leftovers. */
export const TEMP_MARKER = '.tmp-';
let tempCounter = 0;

const tempName = (file: string) => `${file}${TEMP_MARKER}${process.pid}-${++tempCounter}`;

export async function writeFileAtomic(file: string, content: string, mode = 0o600): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = tempName(file);
  const handle = await open(temp, 'w', mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  await fsyncDirectory(path.dirname(file));
}

/** The same, for start-up code that runs before anything is asynchronous. */
export function writeFileAtomicSync(file: string, content: string, mode = 0o600): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = tempName(file);
  writeFileSync(temp, content, { mode });
  const fd = openSync(temp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

export async function fsyncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms cannot open directories; the rename is still atomic there.
  }
}

export const writeJsonAtomic = (file: string, value: unknown) => writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
