import type { SecretProperties } from '@azure/keyvault-secrets';
import { describe, expect, it } from 'vitest';
import { InventoryBuilder } from '../../../../src/inventory/builder.js';
import { readPolicy } from '../../../../src/rotation/policy.js';

const now = new Date('2026-06-01T00:00:00Z');
const days = (n: number) => new Date(now.getTime() + n * 86_400_000);
const secret = (name: string, extra: Partial<SecretProperties> = {}): SecretProperties =>
  ({ name, vaultUrl: 'https://payments.vault.azure.net', enabled: true, createdOn: days(-10), tags: {}, ...extra }) as SecretProperties;
const payments = { alias: 'payments', url: 'https://payments.vault.azure.net/' };

describe('InventoryBuilder', () => {
  it('describes each secret by its tags: no policy, scheduled, due, invalid; skips certificate-backed secrets', () => {
    const builder = new InventoryBuilder(payments, now);
    const add = (properties: SecretProperties) => builder.secret(properties, readPolicy(properties.tags));
    add(secret('plain', { expiresOn: days(5), tags: { team: 'pay' } }));
    add(secret('weekly', { tags: { 'rotation-interval': 'P30D' } }));
    add(secret('overdue', { tags: { 'rotation-interval': 'P7D', 'rotated-at': days(-8).toISOString() } }));
    add(secret('broken', { tags: { 'rotation-interval': 'monthly' } }));
    add(secret('cert-backed', { managed: true }));
    const { items, vault, source, complete } = builder.build('rotation-run', true);
    expect({ vault, source, complete }).toEqual({ vault: 'payments', source: 'rotation-run', complete: true });
    expect(items.map((item) => item.name)).toEqual(['broken', 'overdue', 'plain', 'weekly']);
    const byName = Object.fromEntries(items.map((item) => [item.name, item]));
    expect(byName.plain).toMatchObject({
      kind: 'secret',
      vault: 'payments',
      path: '/vaults/payments/secrets/plain',
      expiresOn: days(5).toISOString(),
      tags: { team: 'pay' },
      rotation: { state: 'none' },
    });
    expect(byName.weekly!.rotation).toEqual({ state: 'scheduled', policy: 'rotation-interval=P30D', nextDueAt: days(20).toISOString() });
    expect(byName.overdue!.rotation).toMatchObject({ state: 'due', nextDueAt: days(-1).toISOString(), lastRotatedAt: days(-8).toISOString() });
    expect(byName.broken!.rotation).toMatchObject({ state: 'invalid', problem: expect.stringContaining('rotation-interval') });
  });

  it('applies the run: a rotated secret is scheduled again from now, a failed one keeps its failure until a newer version exists', () => {
    const first = new InventoryBuilder({ alias: 'default', url: 'https://main.vault.azure.net/' }, now);
    for (const name of ['rotates', 'fails'])
      first.secret(secret(name, { tags: { 'rotation-interval': 'P1D', validity: 'P2D' } }), readPolicy({ 'rotation-interval': 'P1D', validity: 'P2D' }));
    first.rotations(
      [
        { name: 'rotates', status: 'rotated', version: 'v2' },
        { name: 'fails', status: 'failed', reason: 'Key Vault answered 403 (Forbidden)' },
      ],
      now,
    );
    const snapshot = first.build('rotation-run', true);
    const [fails, rotates] = snapshot.items;
    expect(rotates).toMatchObject({
      path: '/secrets/rotates',
      createdOn: now.toISOString(),
      expiresOn: days(2).toISOString(),
      rotation: { state: 'scheduled', lastRotatedAt: now.toISOString(), nextDueAt: days(1).toISOString() },
    });
    expect(rotates!.lastFailure).toBeUndefined();
    expect(fails).toMatchObject({ rotation: { state: 'due' }, lastFailure: { at: now.toISOString(), reason: 'Key Vault answered 403 (Forbidden)' } });

    // The next snapshot (a refresh, say) still shows the failure while the version is the same one…
    const later = new Date(now.getTime() + 3_600_000);
    const again = new InventoryBuilder({ alias: 'default', url: 'https://main.vault.azure.net/' }, later, snapshot);
    again.secret(secret('fails'), readPolicy({}));
    expect(again.build('refresh', true).items[0]!.lastFailure?.reason).toContain('403');
    // …and drops it once a newer version exists.
    const fixed = new InventoryBuilder({ alias: 'default', url: 'https://main.vault.azure.net/' }, later, snapshot);
    fixed.secret(secret('fails', { createdOn: later }), readPolicy({}));
    expect(fixed.build('refresh', true).items[0]!.lastFailure).toBeUndefined();
  });

  it('takes a certificate with where its renewal stands; a renewal failure becomes its last failure', () => {
    const builder = new InventoryBuilder(payments, now);
    const properties = { name: 'api-tls', enabled: true, createdOn: days(-300), expiresOn: days(65), tags: { env: 'prod' } };
    builder.certificate(properties as never, {
      state: 'backing-off',
      dueAt: days(-1).toISOString(),
      retryAt: days(1).toISOString(),
      lastFailure: { at: days(-1).toISOString(), reason: 'CA refused' },
    });
    expect(builder.build('refresh', true).items).toEqual([
      {
        vault: 'payments',
        kind: 'certificate',
        name: 'api-tls',
        enabled: true,
        createdOn: days(-300).toISOString(),
        expiresOn: days(65).toISOString(),
        tags: { env: 'prod' },
        path: '/vaults/payments/certificates/api-tls',
        renewal: { state: 'backing-off', dueAt: days(-1).toISOString(), retryAt: days(1).toISOString() },
        lastFailure: { at: days(-1).toISOString(), reason: 'CA refused' },
      },
    ]);
  });
});
