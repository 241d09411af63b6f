import { getConfig } from '../platform/config.js';
import { TableIdempotencyStore } from '../platform/idempotency.js';
import { getStorage } from '../platform/storage.js';
import { getVaultClients } from '../platform/vault.js';
import { SecretsService } from './service.js';

let service: SecretsService | undefined;

/** The process's secrets service, wired to the configured vault and storage. */
export function getSecretsService(): SecretsService {
  if (!service) {
    const config = getConfig();
    service = new SecretsService({
      client: getVaultClients(config).secrets,
      vaultUrl: config.KEYVAULT_URL,
      idempotency: new TableIdempotencyStore(getStorage(config).table(config.OPERATIONS_TABLE)),
    });
  }
  return service;
}
