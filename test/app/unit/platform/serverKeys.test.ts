// Server keys kept in the vault: created once, agreed on by processes that race to create them.
// Runs against the Key Vault emulator with the real SDK.
import type { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../../local/keyvault/index.js';
import { SERVER_KEY_BYTES, SERVER_KEY_CONTENT_TYPE, vaultServerKey, type ServerKeySecret } from '../../../../src/platform/serverKeys.js';
import { localSecretClient, startTestEmulator } from '../../../local/keyvault/helpers.js';

let emulator: RunningEmulator;
let secrets: SecretClient;
beforeAll(async () => {
  emulator = await startTestEmulator();
  secrets = localSecretClient(emulator);
});
afterAll(async () => emulator?.stop());

let n = 0;
const spec = (): ServerKeySecret => ({ name: `server-key-${Date.now().toString(36)}-${n++}`, purpose: 'test key' });
const versionsOf = async (name: string) => {
  const all = [];
  for await (const properties of secrets.listPropertiesOfSecretVersions(name)) all.push(properties);
  return all;
};

describe('vaultServerKey', () => {
  it('creates a random key on first use, tagged for operators, and caches it for the process', async () => {
    const secret = spec();
    const key = vaultServerKey(secrets, secret);
    const first = await key();
    expect(first).toHaveLength(SERVER_KEY_BYTES);
    expect(await key()).toBe(first);

    const stored = await secrets.getSecret(secret.name);
    expect(Buffer.from(stored.value!, 'base64').equals(first)).toBe(true);
    expect(stored.properties.contentType).toBe(SERVER_KEY_CONTENT_TYPE);
    expect(stored.properties.tags).toMatchObject({ purpose: 'test key' });
    expect(Object.keys(stored.properties.tags ?? {}).some((tag) => tag.startsWith('rotat'))).toBe(false);
    expect(await versionsOf(secret.name)).toHaveLength(1);

    // Another process reads the same key and adds no version.
    expect((await vaultServerKey(secrets, secret)()).equals(first)).toBe(true);
    expect(await versionsOf(secret.name)).toHaveLength(1);
  });

  it('gives every process the same key when several create it at once', async () => {
    const secret = spec();
    // Four start together and may race to create it; the others start while those are settling.
    const delays = [0, 0, 0, 0, 300, 600, 900, 1_200];
    const keys = await Promise.all(delays.map((ms) => new Promise((resolve) => setTimeout(resolve, ms)).then(() => vaultServerKey(secrets, secret)())));
    for (const key of keys) expect(key.equals(keys[0]!)).toBe(true);
    // The oldest version, the one with the lower version id among versions of the same second.
    const oldest = (await versionsOf(secret.name)).sort((a, b) => a.createdOn!.getTime() - b.createdOn!.getTime() || (a.version! < b.version! ? -1 : 1))[0]!;
    expect(Buffer.from((await secrets.getSecret(secret.name, { version: oldest.version! })).value!, 'base64').equals(keys[0]!)).toBe(true);
  });

  it('agrees on one key when a version from the same second as the first lands after the first creator has listed', async () => {
    // A vault that dates every version to one second and hands out version ids in descending
    // order: the later version wins the tie, and the slow creator's version lands late.
    const versions: { version: string; value: string; createdOn: Date }[] = [];
    const second = new Date(Math.floor(Date.now() / 1000) * 1000);
    const ids = ['bbbb', 'aaaa'];
    let writes = 0;
    const vault = {
      async *listPropertiesOfSecretVersions() {
        for (const v of [...versions]) yield { name: 'k', version: v.version, enabled: true, createdOn: v.createdOn };
      },
      async setSecret(_name: string, value: string) {
        if (writes++ > 0) await new Promise((resolve) => setTimeout(resolve, 300));
        versions.push({ version: ids.shift()!, value, createdOn: second });
        return {};
      },
      async getSecret(_name: string, options: { version: string }) {
        return { value: versions.find((v) => v.version === options.version)!.value };
      },
    } as unknown as SecretClient;
    const secret = spec();
    const fast = vaultServerKey(vault, secret)();
    const slow = vaultServerKey(vault, secret)();
    // A reader that starts between the two writes.
    const reader = new Promise((resolve) => setTimeout(resolve, 100)).then(() => vaultServerKey(vault, secret)());
    const keys = await Promise.all([fast, slow, reader]);
    expect(versions).toHaveLength(2);
    const winner = Buffer.from(versions.find((v) => v.version === 'aaaa')!.value, 'base64');
    for (const key of keys) expect(key.equals(winner)).toBe(true);
  });

  it('keeps the first version when another version is added later', async () => {
    const secret = spec();
    const first = await vaultServerKey(secrets, secret)();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await secrets.setSecret(secret.name, Buffer.alloc(SERVER_KEY_BYTES, 7).toString('base64'));
    expect((await vaultServerKey(secrets, secret)()).equals(first)).toBe(true);
  });

  it('refuses a value that is not a key without showing it, and tries again on the next call', async () => {
    const secret = spec();
    const value = 'CANARY-not-a-server-key';
    await secrets.setSecret(secret.name, value);
    const key = vaultServerKey(secrets, secret);
    const failure = await key().then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(`${failure!.message}\n${failure!.stack}`).not.toContain(value);

    await secrets.updateSecretProperties(secret.name, (await versionsOf(secret.name))[0]!.version!, { enabled: false });
    expect(await key()).toHaveLength(SERVER_KEY_BYTES);
  });
});
