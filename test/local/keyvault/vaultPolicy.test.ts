// Vault-level behaviour: recovery levels, purge protection, no soft delete, expiry of deleted
// objects, certificate-backed (managed) secrets, api-version checks.
import { afterEach, describe, expect, it } from 'vitest';
import type { EmulatorOptions, RunningEmulator } from '../../../local/keyvault/index.js';
import { localSecretClient, rawRequest, startTestEmulator, tokenFor } from './helpers.js';

let emulator: RunningEmulator | undefined;

afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

async function start(options: EmulatorOptions = {}) {
  emulator = await startTestEmulator(options);
  return { emulator, client: localSecretClient(emulator) };
}

describe('soft-delete settings', () => {
  it('purge protection: recoveryLevel Recoverable and purge → 403', async () => {
    const { client } = await start({ purgeProtection: true });
    const secret = await client.setSecret('protected', 'x');
    expect(secret.properties.recoveryLevel).toBe('Recoverable');
    await (await client.beginDeleteSecret('protected')).pollUntilDone();
    await expect(client.purgeDeletedSecret('protected')).rejects.toMatchObject({ statusCode: 403, code: 'Forbidden' });
    expect((await client.getDeletedSecret('protected')).name).toBe('protected');
  });

  it('customized retention: CustomizedRecoverable+Purgeable with recoverableDays and purge date', async () => {
    const { client } = await start({ recoverableDays: 7 });
    const secret = await client.setSecret('short', 'x');
    expect(secret.properties.recoveryLevel).toBe('CustomizedRecoverable+Purgeable');
    expect(secret.properties.recoverableDays).toBe(7);
    const deleted = await (await client.beginDeleteSecret('short')).pollUntilDone();
    expect(deleted.properties.scheduledPurgeDate!.getTime() - deleted.properties.deletedOn!.getTime()).toBe(7 * 86400 * 1000);
  });

  it('no soft delete: Purgeable, delete removes at once and the name is free again', async () => {
    const { client } = await start({ recoverableDays: 0 });
    const secret = await client.setSecret('gone', 'x');
    expect(secret.properties.recoveryLevel).toBe('Purgeable');
    const deleted = await (await client.beginDeleteSecret('gone')).pollUntilDone();
    expect(deleted.recoveryId).toBeUndefined();
    await expect(client.getDeletedSecret('gone')).rejects.toMatchObject({ statusCode: 404 });
    expect((await client.setSecret('gone', 'y')).value).toBe('y');
  });

  it('a deleted object past its scheduled purge date is purged (lazily)', async () => {
    const { emulator: e, client } = await start();
    await client.setSecret('old', 'x');
    await (await client.beginDeleteSecret('old')).pollUntilDone();
    await e.store.transaction('localhost', (tx) => {
      const object = tx.get('secret', 'old')!;
      tx.put({ ...object, deleted: { deletedDate: 1, scheduledPurgeDate: 2 } });
    });
    await expect(client.getDeletedSecret('old')).rejects.toMatchObject({ statusCode: 404 });
    expect((await client.setSecret('old', 'new')).value).toBe('new');
  });
});

describe('certificate-backed secrets', () => {
  it('carry managed + kid, serve the PEM rendering on outContentType, refuse PUT and DELETE', async () => {
    const { emulator: e, client } = await start();
    const version = 'b'.repeat(32);
    const now = Math.floor(Date.now() / 1000);
    await e.store.transaction('localhost', (tx) =>
      tx.put({
        kind: 'secret',
        name: 'web-cert',
        versions: [
          {
            version,
            managed: true,
            contentType: 'application/x-pkcs12',
            attributes: { enabled: true, created: now, updated: now },
            data: { value: 'UEZY', pemValue: '-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n' },
          },
        ],
      }),
    );
    const secret = await client.getSecret('web-cert');
    expect(secret.value).toBe('UEZY');
    expect(secret.properties.managed).toBe(true);
    expect(secret.properties.certificateKeyId).toBe(`${e.vaultUrl}/keys/web-cert/${version}`);
    const auth = { authorization: `Bearer ${await tokenFor(e)}` };
    const pem = await rawRequest(e, { path: `/secrets/web-cert/${version}?api-version=2026-04-01&outContentType=application/x-pem-file`, headers: auth });
    expect(pem.json()).toMatchObject({ contentType: 'application/x-pem-file', value: expect.stringContaining('BEGIN PRIVATE KEY') });
    const listed = [];
    for await (const p of client.listPropertiesOfSecrets()) listed.push(p);
    expect(listed.find((p) => p.name === 'web-cert')).toMatchObject({ managed: true, contentType: 'application/x-pkcs12' });
    await expect(client.setSecret('web-cert', 'x')).rejects.toMatchObject({ statusCode: 403 });
    await expect(client.beginDeleteSecret('web-cert')).rejects.toMatchObject({ statusCode: 403 });

    // Ordinary secrets are returned unchanged for outContentType.
    await client.setSecret('plain', 'text');
    const plain = await rawRequest(e, { path: '/secrets/plain/?api-version=2026-04-01&outContentType=application/x-pem-file', headers: auth });
    expect((plain.json() as { value: string }).value).toBe('text');
  });
});

describe('api-version', () => {
  it('accepts the versions the SDKs send and rejects unknown or missing ones with 400', async () => {
    const { emulator: e } = await start();
    const auth = { authorization: `Bearer ${await tokenFor(e)}` };
    for (const version of ['7.0', '7.4', '7.5', '7.6', '7.6-preview.2', '2025-07-01', '2026-04-01']) {
      expect((await rawRequest(e, { path: `/secrets?api-version=${version}`, headers: auth })).status).toBe(200);
    }
    for (const path of ['/secrets?api-version=1999-01-01', '/secrets']) {
      const res = await rawRequest(e, { path, headers: auth });
      expect(res.status).toBe(400);
      expect((res.json() as { error: { code: string } }).error.code).toBe('BadParameter');
    }
  });
});
