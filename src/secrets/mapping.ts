// Maps the Key Vault SDK's secret shapes to the API's. Values are copied only where asked.
import type { DeletedSecret, KeyVaultSecret, SecretProperties } from '@azure/keyvault-secrets';
import type { DeletedSecretResponse, SecretResponse } from './schemas.js';

const iso = (date: Date | undefined) => date?.toISOString();

export function toSecretProperties(properties: SecretProperties): SecretResponse['properties'] {
  return {
    enabled: properties.enabled ?? true,
    contentType: properties.contentType,
    tags: properties.tags ?? {},
    createdOn: iso(properties.createdOn),
    updatedOn: iso(properties.updatedOn),
    notBefore: iso(properties.notBefore),
    expiresOn: iso(properties.expiresOn),
    recoveryLevel: properties.recoveryLevel,
    managed: properties.managed ?? false,
  };
}

export function toSecretSummary(properties: SecretProperties): Omit<SecretResponse, 'value'> {
  return {
    name: properties.name,
    id: properties.id ?? '',
    version: properties.version ?? '',
    properties: toSecretProperties(properties),
  };
}

export function toSecretResponse(secret: KeyVaultSecret): SecretResponse {
  return { ...toSecretSummary(secret.properties), value: secret.value ?? '' };
}

export function toDeletedSecret(secret: DeletedSecret): DeletedSecretResponse {
  return {
    ...toSecretSummary(secret.properties),
    recoveryId: secret.recoveryId,
    deletedOn: iso(secret.deletedOn),
    scheduledPurgeDate: iso(secret.scheduledPurgeDate),
  };
}
