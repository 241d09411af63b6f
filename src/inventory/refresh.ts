import type { CertificateClient } from '@azure/keyvault-certificates';
import type { SecretClient } from '@azure/keyvault-secrets';
import type { OperationStore } from '../operations/store.js';
import { readPolicy } from '../rotation/policy.js';
import { renewDueCertificates } from '../rotation/renewal.js';
import { InventoryBuilder } from './builder.js';
import type { VaultInventory } from './model.js';

export interface RefreshDeps {
  vault: { alias: string; url: string };
  secrets: SecretClient;
  certificates: CertificateClient;
  operations: OperationStore;
  /** The last snapshot, for the failures it recorded. */
  previous?: VaultInventory;
  now?: () => Date;
}

/**
 * Builds a vault's inventory outside a rotation run: the same reads the run makes (properties
 * lists, and for certificates in their renewal window their policy and renewal bookkeeping), and
 * nothing written to the vault, no event, no renewal started.
 */
export async function collectInventory(deps: RefreshDeps): Promise<VaultInventory> {
  const now = deps.now?.() ?? new Date();
  const inventory = new InventoryBuilder(deps.vault, now, deps.previous);
  for await (const properties of deps.secrets.listPropertiesOfSecrets()) inventory.secret(properties, readPolicy(properties.tags));
  await renewDueCertificates({
    certificates: deps.certificates,
    operations: deps.operations,
    vault: deps.vault.alias,
    renew: () => Promise.reject(new Error('an inventory refresh starts no renewal')),
    events: { publish: async () => undefined },
    inspectOnly: true,
    observe: inventory.certificate,
    log: () => undefined,
    now: () => now,
  });
  return inventory.build('refresh', true);
}
