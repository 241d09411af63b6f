import type { CertificateClient } from '@azure/keyvault-certificates';
import type { KeyClient } from '@azure/keyvault-keys';
import type { SecretClient } from '@azure/keyvault-secrets';
import type { TokenCredential } from '@azure/identity';
import { lazy } from './once.js';
import { nextLinkCapturePolicy } from './paging.js';
import { createThrottleGate, type ThrottleSignal } from './throttleGate.js';
import { vaultMetricsPolicy } from './vaultMetrics.js';

/** The SDK clients for one vault, each built (and its package loaded) on first use. */
export interface VaultClients {
  secrets(): Promise<SecretClient>;
  certificates(): Promise<CertificateClient>;
  keys(): Promise<KeyClient>;
  /** The 429s this vault answers any of the three clients (after which the gate holds them all). */
  throttling: ThrottleSignal;
}

/** `local`: KEYVAULT_LOCAL (see below); `alias`: the vault's alias, for metrics. */
export function createVaultClients(vaultUrl: string, local: boolean, credential: () => Promise<TokenCredential>, alias = 'default'): VaultClients {
  // The SDK checks that the vault's host ends with the challenge's resource domain
  // (".vault.azure.net"). Only the local stack, which says so with KEYVAULT_LOCAL, may serve the
  // vault under a name where that cannot hold (e.g. https://localhost:8443).
  // One throttle gate for the three clients: they share the vault's limit.
  const gate = createThrottleGate();
  const options = {
    disableChallengeResourceVerification: local,
    additionalPolicies: [
      { policy: nextLinkCapturePolicy, position: 'perCall' as const },
      { policy: gate.policy, position: 'perRetry' as const },
      { policy: vaultMetricsPolicy(alias), position: 'perRetry' as const },
    ],
  };
  return {
    secrets: lazy(async () => new (await import('@azure/keyvault-secrets')).SecretClient(vaultUrl, await credential(), options)),
    certificates: lazy(async () => new (await import('@azure/keyvault-certificates')).CertificateClient(vaultUrl, await credential(), options)),
    keys: lazy(async () => new (await import('@azure/keyvault-keys')).KeyClient(vaultUrl, await credential(), options)),
    throttling: { onThrottled: (listener) => gate.onThrottled(listener) },
  };
}
