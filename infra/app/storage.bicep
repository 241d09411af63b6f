// The Functions host's storage account (AzureWebJobsStorage): the app's queues (certificate jobs,
// events), its operations table, blob leases (host and rotation run) and the Flex Consumption
// deployment package. Shared keys are off, so every client must use Microsoft Entra ID: the app
// uses its managed identity (identity-based AzureWebJobsStorage__* settings in api.bicep).
param location string
param tags object
param name string

@description('Blob container Flex Consumption deploys the app package to.')
param deploymentContainerName string = 'app-package'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource blobServices 'blobServices' = {
    name: 'default'

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: { publicAccess: 'None' }
    }
  }
}

output name string = storage.name
output deploymentContainerName string = deploymentContainerName
