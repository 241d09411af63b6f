import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileVaultStore } from '../../../../local/keyvault/store/file.js';
import { MemoryVaultStore } from '../../../../local/keyvault/store/memory.js';
import type { StoredObject, VaultStore } from '../../../../local/keyvault/store/types.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kv-store-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

function object(kind: string, name: string, version = 'a'.repeat(32)): StoredObject {
  return { kind, name, versions: [{ version, attributes: { enabled: true, created: 1, updated: 1 }, data: { value: name } }] };
}

const implementations: Array<[string, () => Promise<VaultStore>]> = [
  ['memory', async () => new MemoryVaultStore()],
  ['file', async () => FileVaultStore.open(await tempDir())],
];

describe.each(implementations)('%s store', (_label, open) => {
  it('gets case-insensitively, keeps casing, returns copies', async () => {
    const store = await open();
    await store.transaction('v', (tx) => tx.put(object('secret', 'MyName')));
    const found = store.get('v', 'secret', 'myname')!;
    expect(found.name).toBe('MyName');
    found.versions.length = 0;
    expect(store.get('v', 'secret', 'MYNAME')!.versions).toHaveLength(1);
    expect(store.get('other', 'secret', 'myname')).toBeUndefined();
    expect(store.get('v', 'key', 'myname')).toBeUndefined();
  });

  it('lists in name order with continuation, separating deleted objects', async () => {
    const store = await open();
    await store.transaction('v', (tx) => {
      for (const name of ['c', 'a', 'e', 'b', 'd']) tx.put(object('secret', name));
      tx.put({ ...object('secret', 'bb'), deleted: { deletedDate: 1, scheduledPurgeDate: 2 } });
    });
    const first = store.list('v', 'secret', { deleted: false, limit: 2 });
    expect(first.items.map((o) => o.name)).toEqual(['a', 'b']);
    const second = store.list('v', 'secret', { deleted: false, limit: 2, after: first.continuation });
    expect(second.items.map((o) => o.name)).toEqual(['c', 'd']);
    const third = store.list('v', 'secret', { deleted: false, limit: 2, after: second.continuation });
    expect(third.items.map((o) => o.name)).toEqual(['e']);
    expect(third.continuation).toBeUndefined();
    expect(store.list('v', 'secret', { deleted: true, limit: 25 }).items.map((o) => o.name)).toEqual(['bb']);
  });

  it('a throwing transaction writes nothing; reads inside see staged changes', async () => {
    const store = await open();
    await expect(
      store.transaction('v', (tx) => {
        tx.put(object('secret', 'x'));
        expect(tx.get('secret', 'X')?.name).toBe('x');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(store.get('v', 'secret', 'x')).toBeUndefined();
    await store.transaction('v', (tx) => tx.put(object('secret', 'x')));
    await store.transaction('v', (tx) => {
      tx.remove('secret', 'x');
      expect(tx.get('secret', 'x')).toBeUndefined();
    });
    expect(store.get('v', 'secret', 'x')).toBeUndefined();
  });
});

describe('file store durability', () => {
  it('reloads everything after reopen, including odd vault keys', async () => {
    const dir = await tempDir();
    const store = await FileVaultStore.open(dir);
    await store.transaction('my.vault.azure.net', (tx) => {
      tx.put(object('certificate', 'c1'));
      tx.put(object('key', 'c1'));
      tx.put(object('secret', 'c1'));
    });
    await store.transaction('[::1]:weird', (tx) => tx.put(object('secret', 's')));
    await store.close();
    const again = await FileVaultStore.open(dir);
    expect(again.get('my.vault.azure.net', 'key', 'C1')?.name).toBe('c1');
    expect(again.get('[::1]:weird', 'secret', 's')?.name).toBe('s');
    expect(await readdir(dir)).not.toContain('journal.json');
  });

  it('replays a journal left by a crash and removes stray temp files', async () => {
    const dir = await tempDir();
    const store = await FileVaultStore.open(dir);
    await store.transaction('v', (tx) => {
      tx.put(object('certificate', 'c', '1'.repeat(32)));
      tx.put(object('secret', 'c', '1'.repeat(32)));
      tx.put(object('secret', 'old'));
    });
    await store.close();
    // Simulate a crash after the journal was written but before all files were replaced.
    const journal = [
      { vault: 'v', kind: 'certificate', key: 'c', object: object('certificate', 'c', '2'.repeat(32)) },
      { vault: 'v', kind: 'secret', key: 'c', object: object('secret', 'c', '2'.repeat(32)) },
      { vault: 'v', kind: 'secret', key: 'old', object: null },
    ];
    await writeFile(path.join(dir, 'journal.json'), JSON.stringify(journal));
    await writeFile(path.join(dir, 'vaults', 'v', 'secret', 'c.json.tmp-123-1'), '{"trunc');
    const reopened = await FileVaultStore.open(dir);
    expect(reopened.get('v', 'certificate', 'c')?.versions[0]?.version).toBe('2'.repeat(32));
    expect(reopened.get('v', 'secret', 'c')?.versions[0]?.version).toBe('2'.repeat(32));
    expect(reopened.get('v', 'secret', 'old')).toBeUndefined();
    expect(await readdir(dir)).not.toContain('journal.json');
    expect(await readdir(path.join(dir, 'vaults', 'v', 'secret'))).toEqual(['c.json']);
  });

  it('clear() wipes data on disk', async () => {
    const dir = await tempDir();
    const store = await FileVaultStore.open(dir);
    await store.transaction('v', (tx) => tx.put(object('secret', 'a')));
    await store.clear();
    await mkdir(path.join(dir, 'vaults'), { recursive: true });
    expect((await FileVaultStore.open(dir)).get('v', 'secret', 'a')).toBeUndefined();
  });
});
