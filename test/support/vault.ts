// The app's vault through the real SDK clients, authenticated as the app (its managed identity
// through the stack's identity endpoint): for checks the API cannot or must not make.
import { ManagedIdentityCredential } from '@azure/identity';
import { CertificateClient } from '@azure/keyvault-certificates';
import { KeyClient } from '@azure/keyvault-keys';
import { SecretClient } from '@azure/keyvault-secrets';

export interface AppIdentity {
  endpoint: string;
  header: string;
}

export function appVaultClients(vaultUrl: string, identity: AppIdentity, options: { maxRetries?: number } = {}) {
  // ManagedIdentityCredential reads these when it is constructed.
  process.env['IDENTITY_ENDPOINT'] = identity.endpoint;
  process.env['IDENTITY_HEADER'] = identity.header;
  const credential = new ManagedIdentityCredential();
  const clientOptions = { disableChallengeResourceVerification: true, ...(options.maxRetries === undefined ? {} : { retryOptions: { maxRetries: options.maxRetries } }) };
  return {
    secrets: new SecretClient(vaultUrl, credential, clientOptions),
    certificates: new CertificateClient(vaultUrl, credential, clientOptions),
    keys: new KeyClient(vaultUrl, credential, clientOptions),
  };
}
