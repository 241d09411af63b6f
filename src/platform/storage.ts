import type { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { QueueClient } from '@azure/storage-queue';
import type { AppConfig } from './config.js';
import { lazy } from './once.js';

type StorageConfig = Pick<
  AppConfig,
  | 'AzureWebJobsStorage'
  | 'AzureWebJobsStorage__queueServiceUri'
  | 'AzureWebJobsStorage__tableServiceUri'
  | 'AzureWebJobsStorage__blobServiceUri'
  | 'AzureWebJobsStorage__credential'
  | 'AzureWebJobsStorage__clientId'
  | 'AZURE_CLIENT_ID'
  | 'AZURE_CREDENTIAL'
>;

/**
 * The app's own storage clients follow the host's AzureWebJobsStorage settings: a connection
 * string, or identity-based service URIs with the managed identity (`__clientId` picks a
 * user-assigned one, as the host does). Each storage package is loaded when its first client is.
 */
export class StorageAccess {
  private readonly identity: () => Promise<TokenCredential>;

  constructor(
    private readonly config: StorageConfig,
    /** The app's credential, used unless a user-assigned identity is named for storage. */
    appCredential: () => Promise<TokenCredential>,
  ) {
    const clientId = config.AzureWebJobsStorage__clientId;
    this.identity = clientId ? lazy(async () => new (await import('@azure/identity')).ManagedIdentityCredential({ clientId })) : appCredential;
  }

  /** `maxTries`: tries per request, for callers that retry themselves (default the SDK's). */
  async queue(name: string, options: { maxTries?: number } = {}): Promise<QueueClient> {
    const { QueueServiceClient } = await import('@azure/storage-queue');
    const pipeline = options.maxTries ? { retryOptions: { maxTries: options.maxTries } } : {};
    if (this.config.AzureWebJobsStorage) {
      return QueueServiceClient.fromConnectionString(this.config.AzureWebJobsStorage, pipeline).getQueueClient(name);
    }
    return new QueueServiceClient(this.config.AzureWebJobsStorage__queueServiceUri!, await this.identity(), pipeline).getQueueClient(name);
  }

  async table(name: string): Promise<TableClient> {
    const { TableClient } = await import('@azure/data-tables');
    if (this.config.AzureWebJobsStorage) {
      return TableClient.fromConnectionString(this.config.AzureWebJobsStorage, name, { allowInsecureConnection: true });
    }
    return new TableClient(this.config.AzureWebJobsStorage__tableServiceUri!, name, await this.identity());
  }

  async blobService(): Promise<BlobServiceClient> {
    const { BlobServiceClient } = await import('@azure/storage-blob');
    if (this.config.AzureWebJobsStorage) return BlobServiceClient.fromConnectionString(this.config.AzureWebJobsStorage);
    return new BlobServiceClient(this.config.AzureWebJobsStorage__blobServiceUri!, await this.identity());
  }
}
