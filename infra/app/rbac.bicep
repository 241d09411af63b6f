// Role assignments: only what the app's identity uses, each on the one resource it is used on, and
// optionally the deployer's own access to the vault. Built-in role definition ids:
// https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
param appPrincipalId string
param storageAccountName string
param keyVaultName string
param applicationInsightsName string
param deployerPrincipalId string
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param deployerPrincipalType string

var roles = {
  // Secrets: list, get, set, update, delete, recover, purge (the secrets API, rotation, and the
  // app's own idempotency key secret).
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  // Certificates: create, import, update, policy, pending operation, renew, delete, recover, purge.
  keyVaultCertificatesOfficer: 'a4417e6f-fecd-4de8-b567-7b0420556985'
  // Keys: read the public key and properties of a certificate's key (GET /api/keys/{name}); it
  // grants no cryptographic operation and no secret value.
  keyVaultReader: '21090545-7ca7-4776-b22c-e363652d74d2'
  // Blobs: the host's leases and state (identity-based AzureWebJobsStorage needs Owner), the
  // rotation run's lease, and reading the Flex Consumption deployment package.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Queues: create the job and event queues, send (with visibility delays), receive and delete
  // (queue triggers, poison queue). Contributor covers all of it, so no Message Processor/Sender.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // Tables: the operations table (operations, idempotency records, event outbox, run records).
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // Application Insights with local authentication off accepts telemetry from Entra identities
  // holding this role only.
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

var vaultRoles = [
  roles.keyVaultSecretsOfficer
  roles.keyVaultCertificatesOfficer
  roles.keyVaultReader
]
var storageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]
// The person (or pipeline) running azd manages the vault's contents in the portal or the CLI.
var deployerVaultRoles = [
  roles.keyVaultSecretsOfficer
  roles.keyVaultCertificatesOfficer
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource appVaultRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in vaultRoles: {
    name: guid(vault.id, appPrincipalId, role)
    scope: vault
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

resource appStorageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in storageRoles: {
    name: guid(storage.id, appPrincipalId, role)
    scope: storage
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

resource appTelemetryRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

resource deployerRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in deployerVaultRoles: if (!empty(deployerPrincipalId)) {
    name: guid(vault.id, deployerPrincipalId, role)
    scope: vault
    properties: {
      principalId: deployerPrincipalId
      principalType: deployerPrincipalType
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]
