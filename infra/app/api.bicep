// The Function App on a Flex Consumption plan (FC1, Linux, Node.js 22) and its user-assigned
// managed identity, the app's only credential: the host's storage, the app's own storage and vault
// clients, Application Insights ingestion and the deployment package all use it.
param location string
param tags object
param name string
param planName string
param identityName string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string
param keyVaultUrl string
param instanceMemoryMB int
param maximumInstanceCount int
param rotationSchedule string
param rotationWebhookUrl string
param authClientId string
param authAudience string
// main.bicep's additionalVaults: the existing vaults the app also manages ({ alias, name, … }).
param additionalVaults array

var authEnabled = !empty(authClientId)

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
  tags: tags
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

// Every setting the app's config schema (src/platform/config.ts) requires is here; the test in
// test/app/unit/infra checks that against the schema. Values are never keys: storage is reached
// with the identity (AzureWebJobsStorage__*, the host's identity-based connection), and so is
// Application Insights (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
var appSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
  AZURE_CLIENT_ID: identity.properties.clientId
  KEYVAULT_URL: keyVaultUrl
  JOBS_QUEUE: 'certificate-jobs'
  EVENTS_QUEUE: 'vault-events'
  OPERATIONS_TABLE: 'operations'
  ROTATION_SCHEDULE: rotationSchedule
  ROTATION_CONCURRENCY: '64'
  JOB_POLL_BUDGET_SECONDS: '20'
}

// Set only when asked for. AUTH_ROLES=true is accepted by the app only with App Service
// Authentication on (App Service then sets WEBSITE_AUTH_ENABLED), which authsettingsV2 below turns on.
var webhookSetting = empty(rotationWebhookUrl) ? {} : { ROTATION_WEBHOOK_URL: rotationWebhookUrl }
var authRolesSetting = authEnabled ? { AUTH_ROLES: 'true' } : {}

// The existing vaults, as KEYVAULTS wants them: alias=URL pairs separated by commas, set only when
// there are any. A vault's URL is https://<name><Key Vault DNS suffix>/ (.vault.azure.net in Azure's
// public cloud), which is what its properties.vaultUri reads; reading that property here instead
// would make this module wait for existing-vault.bicep, which needs this module's identity.
var keyVaultDnsSuffix = environment().suffixes.keyvaultDns
var keyVaults = join(map(additionalVaults, existingVault => '${existingVault.alias}=https://${existingVault.name}${keyVaultDnsSuffix}/'), ',')
var keyVaultsSetting = empty(additionalVaults) ? {} : { KEYVAULTS: keyVaults }

resource functionApp 'Microsoft.Web/sites@2023-12-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
    }
  }
}

// The whole set of app settings (this replaces any set by hand), as the azd templates' site module does.
resource settings 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(appSettings, keyVaultsSetting, webhookSetting, authRolesSetting)
}

// No FTP or SCM (Kudu) publishing with user names and passwords; azd deploys with a Microsoft Entra token.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

// App Service Authentication with an existing Microsoft Entra app registration: a request without a
// valid bearer token for it is answered 401 before it reaches the app, except on the routes the app
// itself serves anonymously. Function keys are still required on the keyed routes.
// https://learn.microsoft.com/azure/app-service/configure-authentication-provider-aad
resource authSettings 'Microsoft.Web/sites/config@2023-12-01' = if (authEnabled) {
  parent: functionApp
  name: 'authsettingsV2'
  // After the app settings rather than at the same time: both change the site's configuration.
  dependsOn: [
    settings
  ]
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      excludedPaths: [
        '/api/health'
        '/api/openapi.json'
        '/api/docs'
        '/api/docs/*'
      ]
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: union([ 'api://${authClientId}', authClientId ], empty(authAudience) ? [] : [ authAudience ])
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

output name string = functionApp.name
output uri string = 'https://${functionApp.properties.defaultHostName}'
output identityPrincipalId string = identity.properties.principalId
output keyVaults string = keyVaults
