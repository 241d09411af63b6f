import { problems } from '../platform/problems.js';
import type { Services } from '../services.js';
import type { InventoryResponse, VaultInventory } from './model.js';
import { collectInventory } from './refresh.js';

/** Refreshes in flight in this instance, per vault URL: a second caller waits for the first's. */
const refreshing = new Map<string, Promise<VaultInventory>>();

/**
 * The inventory of the given vaults (every managed one by default), from their last snapshots.
 * `refresh`: first rebuilds each vault whose snapshot is older than INVENTORY_REFRESH_SECONDS;
 * when every vault's is newer, refuses (InventoryRefreshThrottled, with when to try again).
 */
export async function readInventory(services: Services, options: { vaults?: string[]; refresh: boolean; apiBase: string }): Promise<InventoryResponse> {
  const vaults = options.vaults?.map((alias) => services.inVault(alias)) ?? services.managedVaults();
  const store = await services.inventory();
  let snapshots = await Promise.all(vaults.map(async (vault) => ({ vault, snapshot: await store.read(vault.vaultUrl) })));
  if (options.refresh) {
    const minAgeMs = services.config.INVENTORY_REFRESH_SECONDS * 1000;
    const ageMs = (snapshot?: VaultInventory) => (snapshot ? Date.now() - Date.parse(snapshot.generatedAt) : Infinity);
    const stale = snapshots.filter(({ snapshot }) => ageMs(snapshot) >= minAgeMs);
    if (stale.length === 0) {
      const waitMs = Math.min(...snapshots.map(({ snapshot }) => minAgeMs - ageMs(snapshot)));
      throw problems.inventoryRefreshThrottled(Math.max(1, Math.ceil(waitMs / 1000)));
    }
    const rebuilt = new Map(await Promise.all(stale.map(async ({ vault, snapshot }) => [vault, await refreshVault(vault, snapshot)] as const)));
    snapshots = snapshots.map(({ vault, snapshot }) => ({ vault, snapshot: rebuilt.get(vault) ?? snapshot }));
  }
  return {
    vaults: snapshots.map(({ vault, snapshot }) => ({
      vault: vault.vaultAlias,
      vaultUrl: vault.vaultUrl,
      generatedAt: snapshot?.generatedAt,
      source: snapshot?.source,
      complete: snapshot?.complete ?? false,
      secrets: snapshot?.items.filter((item) => item.kind === 'secret').length ?? 0,
      certificates: snapshot?.items.filter((item) => item.kind === 'certificate').length ?? 0,
    })),
    items: snapshots.flatMap(({ snapshot }) => (snapshot?.items ?? []).map((item) => ({ ...item, url: `${options.apiBase}${item.path}` }))),
  };
}

function refreshVault(services: Services, previous: VaultInventory | undefined): Promise<VaultInventory> {
  const alias = services.vaultAlias;
  let pending = refreshing.get(services.vaultUrl);
  if (!pending) {
    pending = (async () => {
      const [secrets, certificates, operations, store] = await Promise.all([
        services.vault.secrets(),
        services.vault.certificates(),
        services.operations(),
        services.inventory(),
      ]);
      const inventory = await collectInventory({ vault: { alias, url: services.vaultUrl }, secrets, certificates, operations: operations.store, previous });
      await store.write(inventory);
      return inventory;
    })().finally(() => refreshing.delete(services.vaultUrl));
    refreshing.set(services.vaultUrl, pending);
  }
  return pending;
}
