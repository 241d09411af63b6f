import type { TokenCredential } from '@azure/identity';
import type { AppConfig } from './config.js';

/**
 * The app's credential: the Function App's managed identity (user-assigned when AZURE_CLIENT_ID
 * is set). `AZURE_CREDENTIAL=developer` opts into DefaultAzureCredential for developers signed in
 * with `az login`; it is never chosen implicitly. `@azure/identity` is loaded on first use.
 */
export async function createCredential(config: Pick<AppConfig, 'AZURE_CLIENT_ID' | 'AZURE_CREDENTIAL'>): Promise<TokenCredential> {
  const { DefaultAzureCredential, ManagedIdentityCredential } = await import('@azure/identity');
  if (config.AZURE_CREDENTIAL === 'developer') {
    return new DefaultAzureCredential(config.AZURE_CLIENT_ID ? { managedIdentityClientId: config.AZURE_CLIENT_ID } : {});
  }
  return config.AZURE_CLIENT_ID ? new ManagedIdentityCredential({ clientId: config.AZURE_CLIENT_ID }) : new ManagedIdentityCredential();
}
