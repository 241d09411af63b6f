import { getConfig } from '../platform/config.js';
import { TableIdempotencyStore } from '../platform/idempotency.js';
import { IDEMPOTENCY_SERVER_KEY, vaultServerKey } from '../platform/serverKeys.js';
import { getStorage } from '../platform/storage.js';
import { getVaultClients } from '../platform/vault.js';
import { SecretsService } from './service.js';

let service: SecretsService | undefined;
let idempotency: TableIdempotencyStore | undefined;

/** The process's Idempotency-Key store (also for removing expired records). */
export function getIdempotencyStore(): TableIdempotencyStore {
  if (!idempotency) {
    const config = getConfig();
    idempotency = new TableIdempotencyStore(getStorage(config).table(config.OPERATIONS_TABLE), {
      serverKey: vaultServerKey(getVaultClients(config).secrets, IDEMPOTENCY_SERVER_KEY),
    });
  }
  return idempotency;
}

/** The process's secrets service, wired to the configured vault and storage. */
export function getSecretsService(): SecretsService {
  if (!service) {
    const config = getConfig();
    service = new SecretsService({
      client: getVaultClients(config).secrets,
      vaultUrl: config.KEYVAULT_URL,
      idempotency: getIdempotencyStore(),
    });
  }
  return service;
}
