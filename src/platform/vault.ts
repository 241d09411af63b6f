import { CertificateClient } from '@azure/keyvault-certificates';
import { KeyClient } from '@azure/keyvault-keys';
import { SecretClient } from '@azure/keyvault-secrets';
import type { TokenCredential } from '@azure/identity';
import type { AppConfig } from './config.js';
import { nextLinkCapturePolicy } from './paging.js';
import { throttleGatePolicy } from './throttleGate.js';

export interface VaultClients {
  secrets: SecretClient;
  certificates: CertificateClient;
  keys: KeyClient;
}

/** The SDK clients for the configured vault. */
export function createVaultClients(config: AppConfig, credential: TokenCredential): VaultClients {
  // The SDK checks that the vault's host ends with the challenge's resource domain
  // (".vault.azure.net"). Only the local stack, which says so with KEYVAULT_LOCAL, may serve the
  // vault under a name where that cannot hold (e.g. https://localhost:8443).
  const options = {
    disableChallengeResourceVerification: config.KEYVAULT_LOCAL,
    additionalPolicies: [
      { policy: nextLinkCapturePolicy, position: 'perCall' as const },
      { policy: throttleGatePolicy(), position: 'perRetry' as const },
    ],
  };
  return {
    secrets: new SecretClient(config.KEYVAULT_URL, credential, options),
    certificates: new CertificateClient(config.KEYVAULT_URL, credential, options),
    keys: new KeyClient(config.KEYVAULT_URL, credential, options),
  };
}
