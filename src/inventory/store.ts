import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { vaultHostSlug } from '../platform/config.js';
import { onceUntilFailure } from '../platform/once.js';
import { isRestError } from '../platform/restError.js';
import type { VaultInventory } from './model.js';

export const INVENTORY_CONTAINER = 'inventory';

/**
 * One JSON blob per vault in container `inventory`, named after the vault's host (like the run
 * lease: apps that share a storage account but not a vault keep apart), replaced by each snapshot.
 */
export class BlobInventoryStore {
  private readonly container: ContainerClient;
  private readonly ensureContainer: () => Promise<void>;

  constructor(blobs: BlobServiceClient) {
    this.container = blobs.getContainerClient(INVENTORY_CONTAINER);
    this.ensureContainer = onceUntilFailure(async () => {
      await this.container.createIfNotExists();
    });
  }

  /** The vault's last snapshot; undefined before the first. */
  async read(vaultUrl: string): Promise<VaultInventory | undefined> {
    await this.ensureContainer();
    try {
      const body = await this.container.getBlobClient(inventoryBlobName(vaultUrl)).downloadToBuffer();
      return JSON.parse(body.toString('utf8')) as VaultInventory;
    } catch (error) {
      if (isRestError(error) && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async write(inventory: VaultInventory): Promise<void> {
    await this.ensureContainer();
    const body = Buffer.from(JSON.stringify(inventory));
    await this.container.getBlockBlobClient(inventoryBlobName(inventory.vaultUrl)).uploadData(body, { blobHTTPHeaders: { blobContentType: 'application/json' } });
  }
}

export const inventoryBlobName = (vaultUrl: string) => `${vaultHostSlug(vaultUrl)}.json`;
