import { getConfig } from '../platform/config.js';
import { getVaultClients } from '../platform/vault.js';
import { getJobQueue, getOperationStore } from '../jobs/index.js';
import { CertificatesService } from './service.js';

let service: CertificatesService | undefined;

export function getCertificatesService(): CertificatesService {
  if (!service) {
    const config = getConfig();
    service = new CertificatesService({
      client: getVaultClients(config).certificates,
      vaultUrl: config.KEYVAULT_URL,
      operations: getOperationStore(),
      queue: getJobQueue(),
    });
  }
  return service;
}
