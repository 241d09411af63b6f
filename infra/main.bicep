// Key Vault Functions in Azure, laid out as the Azure Developer CLI Functions templates do
// (https://github.com/Azure-Samples/functions-quickstart-typescript-azd): a subscription-scoped
// deployment that creates the resource group, and one module per concern under app/.
//
//   monitoring.bicep  Log Analytics workspace + workspace-based Application Insights (Entra-only ingestion)
//   storage.bicep     the Functions host's storage account (no shared keys) + the deployment container
//   vault.bicep       Key Vault (RBAC, soft delete, purge protection) + its audit logs to Log Analytics
//   api.bicep         user-assigned identity, Flex Consumption plan and Function App, App Service Authentication
//   rbac.bicep        the roles the app's identity needs, and optionally the deployer's
//   existing-vault.bicep  per existing vault in additionalVaults: the same vault roles for the app's identity
//
// Nothing here holds a key or a connection string with a key: the app reaches Key Vault, Storage
// and Application Insights with its managed identity.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names the resource group and seeds the resource token.')
param environmentName string

@minLength(1)
@description('Region of every resource. Flex Consumption runs in these regions only (the list of the azd Functions quickstart templates; `az functionapp list-flexconsumption-locations` has the current one).')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group to create; empty: rg-<environmentName>.')
param resourceGroupName string = ''

@description('Object id of the signed-in user or service principal running azd (azd sets AZURE_PRINCIPAL_ID). When given, it gets Key Vault Secrets Officer and Certificates Officer on the vault. Empty: no deployer role.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
@description('Kind of principal principalId names.')
param principalType string = 'User'

@description('Purge protection on the vault. Once on it cannot be turned off: deleted secrets and certificates, and the vault itself, stay recoverable until the retention period ends, and nobody can purge them.')
param enablePurgeProtection bool = true

@minValue(7)
@maxValue(90)
@description('Days a deleted vault, secret or certificate stays recoverable (fixed when the vault is created).')
param softDeleteRetentionInDays int = 90

@allowed([
  512
  2048
  4096
])
@description('Memory of each Flex Consumption instance, in MB (billed as GB-seconds while instances run).')
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
@description('Most instances Flex Consumption scales out to. Every instance talks to the same vault, whose throttle limit is per vault, so more instances do not mean more throughput.')
param maximumInstanceCount int = 40

@minLength(1)
@description('NCRONTAB schedule (with seconds) of the rotation timer (app setting ROTATION_SCHEDULE).')
param rotationSchedule string = '0 0 3 * * *'

@description('Optional https:// URL told (name and versions, never the value) before each rotated secret value is written (app setting ROTATION_WEBHOOK_URL). Empty: no webhook.')
param rotationWebhookUrl string = ''

@description('Client id of an existing Microsoft Entra app registration. When given, App Service Authentication requires a bearer token issued for it on every route except health, openapi.json and docs, and the app enforces the token\'s app roles (AUTH_ROLES=true). Empty: function keys only.')
param authClientId string = ''

@description('An extra accepted token audience (e.g. a custom Application ID URI); api://<authClientId> and <authClientId> are always accepted.')
param authAudience string = ''

@description('Existing Key Vaults the app manages besides the one created here (app setting KEYVAULTS, routes /api/vaults/{alias}/…), in any resource group or subscription of the tenant. The app\'s identity gets the same roles on each as on the created vault, assigned on the vault itself, so whoever runs azd must be allowed to assign roles there (Owner or User Access Administrator). azd maps it from AZURE_ADDITIONAL_VAULTS, a JSON array. Empty: the created vault only.')
param additionalVaults additionalVault[] = []

// One entry of additionalVaults. Sealed: a misspelt property fails the deployment instead of being ignored.
@sealed()
type additionalVault = {
  @minLength(1)
  @maxLength(24)
  @description('The vault\'s alias in the API (/api/vaults/{alias}/…) and in KEYVAULTS: 1-24 lower-case letters, digits and hyphens, starting and ending with a letter or digit (the app\'s rule, ^[a-z0-9](?:[a-z0-9-]{0,22}[a-z0-9])?$), unique, and not default (the alias of the vault created here). With any other, the app finds its settings invalid and serves no request.')
  alias: string

  @minLength(3)
  @maxLength(24)
  @description('Name of the existing vault (it must use Azure RBAC for data access).')
  name: string

  @description('Resource group of the vault. Absent: the environment\'s resource group.')
  resourceGroup: string?

  @description('Subscription of the vault, in the same tenant. Absent: the subscription azd deploys to.')
  subscriptionId: string?
}

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

resource rg 'Microsoft.Resources/resourceGroups@2021-04-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'st${resourceToken}'
  }
}

module vault 'app/vault.bicep' = {
  name: 'vault'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'kv-${resourceToken}'
    enablePurgeProtection: enablePurgeProtection
    softDeleteRetentionInDays: softDeleteRetentionInDays
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'func-${resourceToken}'
    planName: 'plan-${resourceToken}'
    identityName: 'id-api-${resourceToken}'
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultUrl: vault.outputs.uri
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    rotationSchedule: rotationSchedule
    rotationWebhookUrl: rotationWebhookUrl
    authClientId: authClientId
    authAudience: authAudience
    additionalVaults: additionalVaults
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    appPrincipalId: api.outputs.identityPrincipalId
    storageAccountName: storage.outputs.name
    keyVaultName: vault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
}

// Each existing vault the app also manages: the app identity's roles on it, deployed in that vault's
// resource group and subscription.
module existingVaults 'app/existing-vault.bicep' = [
  for existingVault in additionalVaults: {
    name: 'existing-vault-${existingVault.alias}-${resourceToken}'
    scope: resourceGroup(existingVault.?subscriptionId ?? subscription().subscriptionId, existingVault.?resourceGroup ?? rg.name)
    params: {
      vaultName: existingVault.name
      appPrincipalId: api.outputs.identityPrincipalId
    }
  }
]

// azd writes these outputs to .azure/<environment>/.env (and `azd env get-values` shows them). It
// finds the Function App to deploy to by its azd-service-name tag.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = api.outputs.name
output AZURE_FUNCTION_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
output API_BASE_URL string = '${api.outputs.uri}/api'
output AZURE_KEY_VAULT_NAME string = vault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = vault.outputs.uri
output KEYVAULT_URL string = vault.outputs.uri
output KEYVAULTS string = api.outputs.keyVaults
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
