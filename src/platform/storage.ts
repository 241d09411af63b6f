import { TableClient } from '@azure/data-tables';
import { ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import type { AppConfig } from './config.js';

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
 * user-assigned one, as the host does).
 */
export class StorageAccess {
  private credential?: TokenCredential;

  constructor(
    private readonly config: StorageConfig,
    /** The app's credential, used unless a user-assigned identity is named for storage. */
    private readonly appCredential: TokenCredential,
  ) {}

  /** `maxTries`: tries per request, for callers that retry themselves (default the SDK's). */
  queue(name: string, options: { maxTries?: number } = {}): QueueClient {
    const pipeline = options.maxTries ? { retryOptions: { maxTries: options.maxTries } } : {};
    if (this.config.AzureWebJobsStorage) {
      return QueueServiceClient.fromConnectionString(this.config.AzureWebJobsStorage, pipeline).getQueueClient(name);
    }
    return new QueueServiceClient(this.config.AzureWebJobsStorage__queueServiceUri!, this.identity(), pipeline).getQueueClient(name);
  }

  table(name: string): TableClient {
    if (this.config.AzureWebJobsStorage) {
      return TableClient.fromConnectionString(this.config.AzureWebJobsStorage, name, { allowInsecureConnection: true });
    }
    return new TableClient(this.config.AzureWebJobsStorage__tableServiceUri!, name, this.identity());
  }

  blobService(): BlobServiceClient {
    if (this.config.AzureWebJobsStorage) return BlobServiceClient.fromConnectionString(this.config.AzureWebJobsStorage);
    return new BlobServiceClient(this.config.AzureWebJobsStorage__blobServiceUri!, this.identity());
  }

  private identity(): TokenCredential {
    this.credential ??= this.config.AzureWebJobsStorage__clientId
      ? new ManagedIdentityCredential({ clientId: this.config.AzureWebJobsStorage__clientId })
      : this.appCredential;
    return this.credential;
  }
}
