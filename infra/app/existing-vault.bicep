// An existing Key Vault the app also manages (an entry of main.bicep's additionalVaults; app setting
// KEYVAULTS), deployed to that vault's resource group: the app's identity gets the same roles on it
// as on the vault created here (rbac.bicep; test/app/unit/infra fails when the two lists differ),
// each assigned on the vault itself, not on its resource group. Nothing else about the vault
// changes: it must already use Azure RBAC for data access (enableRbacAuthorization), and its soft
// delete, purge protection, network rules and diagnostic settings stay as they are.
// Built-in role definition ids: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
param vaultName string
param appPrincipalId string

var roles = {
  // Secrets: list, get, set, update, delete, recover, purge (the secrets API and rotation).
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  // Certificates: create, import, update, policy, pending operation, renew, delete, recover, purge.
  keyVaultCertificatesOfficer: 'a4417e6f-fecd-4de8-b567-7b0420556985'
  // Keys: read the public key and properties of a certificate's key (GET /api/vaults/{alias}/keys/{name}).
  keyVaultReader: '21090545-7ca7-4776-b22c-e363652d74d2'
}

var vaultRoles = [
  roles.keyVaultSecretsOfficer
  roles.keyVaultCertificatesOfficer
  roles.keyVaultReader
]

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
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
