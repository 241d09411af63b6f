// Several vaults, one app, where a test needs an app of its own: here a second emulator (trusting
// the same managed identity) is the `payments` vault of KEYVAULTS. Every route under
// /api/vaults/{vault}/… is tested on the shared stack's second vault (secondVault.test.ts); this
// file keeps what runs on an app of its own: Idempotency-Key records per vault, and the timer
// across vaults.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_ROLE_ASSIGNMENTS, startEmulator, type RunningEmulator } from '../../../local/keyvault/index.js';
import { uniqueName } from '../../support/api.js';
import { startIsolatedApp, type IsolatedApp } from '../../support/isolatedApp.js';
import { RotationTimer, until } from '../../support/rotation.js';
import { appVaultClients } from '../../support/vault.js';

let payments: RunningEmulator;
let app: IsolatedApp;
const vaultOf = (emulator: RunningEmulator) => appVaultClients(emulator.vaultUrl, { endpoint: emulator.identityEndpoint, header: emulator.identityHeader });

beforeAll(async () => {
  payments = await startEmulator({
    inMemory: true,
    caDir: path.dirname(inject('stack').vault.caFile),
    roleAssignments: [...DEFAULT_ROLE_ASSIGNMENTS, { principal: 'system', role: 'Key Vault Reader' }],
  });
  app = await startIsolatedApp({ emulator: { identity: payments.identity }, settings: { KEYVAULTS: `payments=${payments.vaultUrl}` } });
}, 120_000);
afterAll(async () => {
  await app?.stop();
  await payments?.stop();
});

describe('/api/vaults/{vault}/…', () => {
  it('keeps Idempotency-Key records per vault', async () => {
    const name = uniqueName('vault-idem');
    const headers = { 'idempotency-key': uniqueName('key') };
    const first = await app.api.put(`/secrets/${name}`, { value: 'same' }, { headers });
    const second = await app.api.put(`/vaults/payments/secrets/${name}`, { value: 'same' }, { headers });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect((await vaultOf(payments).secrets.getSecret(name)).value).toBe('same');
  });

  it('rotates due secrets in every vault in one timer run, each vault under its own lease and run record', { timeout: 120_000 }, async () => {
    const name = uniqueName('vault-due');
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const due = { value: 'old', tags: { 'rotation-interval': 'P1D', 'rotated-at': twoDaysAgo } };
    await app.api.put(`/secrets/${name}`, due);
    await app.api.put(`/vaults/payments/secrets/${name}`, due);
    const timer = new RotationTimer(app);
    const run = await timer.run('a rotation run over both vaults');
    const paymentsRun = await until(async () => {
      const record = await timer.lastRun('payments');
      return record?.runId === run.runId ? record : undefined;
    }, "the payments vault's run record");
    expect(run).toMatchObject({ ran: true, rotated: 1, failed: 0 });
    expect(paymentsRun).toMatchObject({ ran: true, rotated: 1, failed: 0, failedSteps: '' });
    for (const path of [`/secrets/${name}/versions`, `/vaults/payments/secrets/${name}/versions`]) expect((await app.api.get(path)).body.value, path).toHaveLength(2);
    await timer.drain();
    const rotated = timer.events.filter((event) => event.type === 'SecretRotated' && event.name === name);
    expect(rotated.map((event) => event.vault ?? 'default').sort()).toEqual(['default', 'payments']);
  });
});
