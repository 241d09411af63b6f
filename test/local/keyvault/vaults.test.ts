// Several vaults in one emulator (`vaults: ['main', 'payments']`): one HTTPS listener per vault,
// each with its own data, faults, throttle limit and counters; role assignments may name a vault.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ManagedIdentityCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseVaultAliases, startEmulator, type RunningEmulator } from '../../../local/keyvault/index.js';
import { rawRequest, startTestEmulator, tokenFor, type RawResponse } from './helpers.js';

let emulator: RunningEmulator;
let auth: Record<string, string>;
const dirs: string[] = [];

beforeAll(async () => {
  emulator = await startTestEmulator({
    vaults: ['main', 'payments'],
    identity: { userAssigned: [{ name: 'payments-only' }] },
    roleAssignments: [
      { principal: 'system', role: 'Key Vault Secrets Officer' },
      { principal: 'payments-only', role: 'Key Vault Secrets Officer', vault: 'payments' },
    ],
  });
  auth = { authorization: `Bearer ${await tokenFor(emulator)}` };
});

afterAll(async () => {
  await emulator?.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  for (const alias of ['main', 'payments']) expect((await admin(alias, 'POST', '/reset', { data: true })).status).toBe(200);
});

function client(alias: string, identity?: string, target: RunningEmulator = emulator): SecretClient {
  const principal = identity ? target.principals.find((p) => p.name === identity) : undefined;
  return new SecretClient(target.vaults[alias]!.url, new ManagedIdentityCredential(principal ? { clientId: principal.clientId } : {}), {
    tlsOptions: { ca: target.caPem },
    disableChallengeResourceVerification: true,
    retryOptions: { maxRetries: 0 },
  });
}

function admin(alias: string, method: string, adminPath: string, body?: unknown): Promise<RawResponse> {
  return rawRequest(emulator, {
    method,
    port: emulator.vaults[alias]!.port,
    path: `/_emulator${adminPath}`,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
}

function listSecrets(alias: string): Promise<RawResponse> {
  return rawRequest(emulator, { port: emulator.vaults[alias]!.port, path: '/secrets?api-version=2026-04-01', headers: auth });
}

describe('several vaults in one emulator', () => {
  it('serves each alias at its own URL; the first is the default vault; the env names them all', () => {
    expect(Object.keys(emulator.vaults)).toEqual(['main', 'payments']);
    const { main, payments } = emulator.vaults;
    expect(main!.url).toBe(emulator.vaultUrl);
    expect(main!.port).toBe(emulator.port);
    expect(payments!.url).toMatch(/^https:\/\/localhost:\d+$/);
    expect(payments!.url).not.toBe(main!.url);
    expect(payments!.adminUrl).toBe(`${payments!.url}/_emulator`);
    expect(emulator.env['KEYVAULT_URL']).toBe(main!.url);
    expect(emulator.env['KEYVAULTS']).toBe(`main=${main!.url},payments=${payments!.url}`);
  });

  it('keeps secrets apart: absent in the other vault, the same name with different values', async () => {
    const main = client('main');
    const payments = client('payments');
    await main.setSecret('only-main', 'm');
    await expect(payments.getSecret('only-main')).rejects.toMatchObject({ statusCode: 404 });
    await main.setSecret('shared-name', 'in-main');
    await payments.setSecret('shared-name', 'in-payments');
    expect((await main.getSecret('shared-name')).value).toBe('in-main');
    const paymentsSecret = await payments.getSecret('shared-name');
    expect(paymentsSecret.value).toBe('in-payments');
    expect(paymentsSecret.properties.id).toBe(`${emulator.vaults['payments']!.url}/secrets/shared-name/${paymentsSecret.properties.version}`);
    const names: string[] = [];
    for await (const secret of payments.listPropertiesOfSecrets()) names.push(secret.name);
    expect(names).toEqual(['shared-name']);
  });

  it('keeps deleted and purge state apart', async () => {
    const main = client('main');
    const payments = client('payments');
    await main.setSecret('deleted-here', 'm');
    await payments.setSecret('deleted-here', 'p');
    await (await main.beginDeleteSecret('deleted-here')).pollUntilDone();
    expect((await main.getDeletedSecret('deleted-here')).name).toBe('deleted-here');
    await expect(payments.getDeletedSecret('deleted-here')).rejects.toMatchObject({ statusCode: 404 });
    expect((await payments.getSecret('deleted-here')).value).toBe('p');
    // The name is taken in main (soft-deleted), not in payments.
    await expect(main.setSecret('deleted-here', 'again')).rejects.toMatchObject({ statusCode: 409 });
    await payments.setSecret('deleted-here', 'p2');
    await main.purgeDeletedSecret('deleted-here');
    await expect(main.getDeletedSecret('deleted-here')).rejects.toMatchObject({ statusCode: 404 });
    expect((await payments.getSecret('deleted-here')).value).toBe('p2');
  });

  it('faults and counters are per vault', async () => {
    expect((await admin('payments', 'PUT', '/faults', { throttleRate: 1 })).status).toBe(200);
    expect((await listSecrets('payments')).status).toBe(429);
    expect((await listSecrets('main')).status).toBe(200);
    expect(((await admin('main', 'GET', '/faults')).json() as { throttleRate: number }).throttleRate).toBe(0);
    const counters = async (alias: string) =>
      ((await admin(alias, 'GET', '/counters')).json() as { operations: Record<string, { statuses: Record<string, number> }> }).operations;
    expect((await counters('payments'))['listSecrets']?.statuses).toEqual({ '429': 1 });
    expect((await counters('main'))['listSecrets']?.statuses).toEqual({ '200': 1 });
  });

  it('a vault that reaches its request limit answers 429; the other vault is unaffected', async () => {
    for (const alias of ['main', 'payments']) {
      expect((await admin(alias, 'PUT', '/faults', { limit: { enabled: true, requests: 3, windowMs: 60_000 } })).status).toBe(200);
    }
    for (let i = 0; i < 3; i++) expect((await listSecrets('payments')).status).toBe(200);
    const throttled = await listSecrets('payments');
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBeDefined();
    for (let i = 0; i < 3; i++) expect((await listSecrets('main')).status).toBe(200);
    expect((await listSecrets('main')).status).toBe(429);
  });

  it('a role assignment limited to one vault (by alias) applies there only; unlimited ones everywhere', async () => {
    await client('payments', 'payments-only').setSecret('allowed', 'x');
    await expect(client('main', 'payments-only').setSecret('refused', 'x')).rejects.toMatchObject({ statusCode: 403 });
    const denied = await rawRequest(emulator, {
      path: '/secrets?api-version=2026-04-01',
      headers: { authorization: `Bearer ${await tokenFor(emulator, 'payments-only')}` },
    });
    expect(denied.status).toBe(403);
    expect(denied.text).toContain('/vaults/main');
  });

  it('GET /_emulator/info names the vault it was asked on, and all vaults', async () => {
    const info = (await admin('payments', 'GET', '/info')).json() as { vault: string; vaultUrl: string; vaults: Record<string, string> };
    expect(info.vault).toBe('payments');
    expect(info.vaultUrl).toBe(emulator.vaults['payments']!.url);
    expect(info.vaults).toEqual({ main: emulator.vaults['main']!.url, payments: emulator.vaults['payments']!.url });
  });

  it('persists the first vault where the single vault lives and the others by alias, across port changes', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kv-vaults-'));
    dirs.push(dataDir);
    // The same identity endpoint: the SDK caches managed-identity tokens per process.
    const options = { port: 0, dataDir, inMemory: false, timing: 'instant' as const, vaults: ['main', 'payments'], identity: emulator.identity };
    const first = await startEmulator(options);
    try {
      await client('main', undefined, first).setSecret('kept', 'main-value');
      await client('payments', undefined, first).setSecret('kept', 'payments-value');
    } finally {
      await first.stop();
    }
    expect((await readdir(path.join(dataDir, 'keyvault', 'vaults'))).sort()).toEqual(['localhost', 'payments.invalid']);
    const second = await startEmulator(options);
    try {
      expect(second.vaults['payments']!.port).not.toBe(first.vaults['payments']!.port);
      expect((await client('main', undefined, second).getSecret('kept')).value).toBe('main-value');
      expect((await client('payments', undefined, second).getSecret('kept')).value).toBe('payments-value');
    } finally {
      await second.stop();
    }
    // Without names, the one vault is the first vault's data.
    const single = await startEmulator({ ...options, vaults: undefined });
    try {
      expect(Object.keys(single.vaults)).toEqual(['default']);
      expect(single.env['KEYVAULTS']).toBeUndefined();
      expect((await client('default', undefined, single).getSecret('kept')).value).toBe('main-value');
    } finally {
      await single.stop();
    }
  });

  it('validates aliases', async () => {
    expect(parseVaultAliases('main,payments')).toEqual(['main', 'payments']);
    expect(() => parseVaultAliases('main,main')).toThrow(/twice/);
    expect(() => parseVaultAliases('Main')).toThrow(/not a valid alias/);
    expect(() => parseVaultAliases('main,')).toThrow(/not a valid alias/);
    expect(() => parseVaultAliases('a'.repeat(25))).toThrow(/not a valid alias/);
    await expect(startEmulator({ inMemory: true, vaults: [] })).rejects.toThrow(/at least one/);
  });
});
