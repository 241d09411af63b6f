// Maps the Key Vault SDK's secret shapes to the API's. Values are copied only where asked.
import type { DeletedSecret, KeyVaultSecret, SecretProperties } from '@azure/keyvault-secrets';
import { iso, toCommonProperties } from '../platform/objectProperties.js';
import type { DeletedSecretResponse, SecretResponse } from './schemas.js';

export function toSecretProperties(properties: SecretProperties): SecretResponse['properties'] {
  return { ...toCommonProperties(properties), contentType: properties.contentType, managed: properties.managed ?? false };
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
