// Idempotency-Key end to end: replays through HTTP, the records in the operations table keyed with
// the server key that the app keeps in the vault, and that key never in the host's log.
import { createHash, createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { TableClient } from '@azure/data-tables';
import { describe, expect, inject, it } from 'vitest';
import { IDEMPOTENCY_SERVER_KEY, SERVER_KEY_BYTES } from '../../../src/platform/serverKeys.js';
import { ApiClient, errorCodeOf, uniqueName } from '../../support/api.js';
import { appVaultClients } from '../../support/vault.js';

const stack = inject('stack');
const api = new ApiClient(stack.apiBaseUrl, stack.functionKey);
// The shared stack keeps the app's default OPERATIONS_TABLE.
const operations = TableClient.fromConnectionString(stack.storage.connectionString, 'operations', { allowInsecureConnection: true });
// The API never shows the app's own keys: the server key is read in the vault.
const vault = appVaultClients(stack.vault.url, stack.identity).secrets;

describe('Idempotency-Key', () => {
  it('replays a PUT with the same key and body, refuses another body (422), and keys its record with the vault-held server key', async () => {
    const name = uniqueName('idem-e2e');
    const key = uniqueName('idem-key');
    const headers = { 'idempotency-key': key };
    const first = await api.put(`/secrets/${name}`, { value: 'first', tags: { env: 'test' } }, { headers });
    expect(first.status, first.text).toBe(201);
    const replay = await api.put(`/secrets/${name}`, { value: 'first', tags: { env: 'test' } }, { headers });
    expect(replay.status).toBe(201);
    expect(replay.body.version).toBe(first.body.version);
    const other = await api.put(`/secrets/${name}`, { value: 'second' }, { headers });
    expect(other.status).toBe(422);
    expect(errorCodeOf(other)).toBe('IdempotencyKeyReused');
    expect((await api.get(`/secrets/${name}/versions`)).body.value).toHaveLength(1);

    // The server key exists in the vault, described for operators and without rotation tags.
    const versions = [];
    for await (const properties of vault.listPropertiesOfSecretVersions(IDEMPOTENCY_SERVER_KEY.name)) versions.push(properties);
    expect(versions).toHaveLength(1);
    const stored = await vault.getSecret(IDEMPOTENCY_SERVER_KEY.name);
    expect(stored.properties.tags).toMatchObject({ purpose: IDEMPOTENCY_SERVER_KEY.purpose });
    expect(Object.keys(stored.properties.tags ?? {}).filter((tag) => tag.startsWith('rotat') || tag === 'validity')).toEqual([]);
    const serverKey = Buffer.from(stored.value!, 'base64');
    expect(serverKey).toHaveLength(SERVER_KEY_BYTES);

    // One record for the secret, found under an HMAC of the caller's key with the server key.
    const partition = `idempotency-${createHash('sha256').update(`secrets/${name}`).digest('hex').slice(0, 32)}`;
    const records = [];
    for await (const row of operations.listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey eq '${partition}'` } })) records.push(row);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      rowKey: createHmac('sha256', serverKey).update(`idempotency-key\n${key}`).digest('hex'),
      state: 'done',
      status: 201,
      result: first.body.version,
    });
    expect((records[0]!.expiresAt as Date).getTime()).toBeGreaterThan(Date.now() + 23 * 60 * 60 * 1000);

    // Canary check: the key, in any of its spellings, is nowhere in the host's output.
    const log = await readFile(stack.hostLogFile, 'utf8');
    expect(log).toContain('Functions.secretsSet');
    for (const spelling of [serverKey.toString('base64'), serverKey.toString('base64url'), serverKey.toString('hex')]) {
      expect(log.includes(spelling)).toBe(false);
    }
  });
});
