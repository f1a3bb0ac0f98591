// Provider secrets. The app reads them through Key Vault references in its app settings (resolved
// by the platform with the app identity); nobody reads them from the repo or a plain setting.
// Rotation: set a new version (docs/operations.md); references without a version follow it.
param name string
param location string
param tags object
param appPrincipalId string
param operatorPrincipalId string

@secure()
param twilioAuthToken string

@secure()
param fcmServiceAccountJson string

var secretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var secretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
var twilioAuthTokenSecretName = 'twilio-auth-token'
var fcmServiceAccountSecretName = 'fcm-service-account-json'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 30
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

// A secret is written only when a value is given, so a later `azd up` without it keeps the
// current version (rotated by hand, docs/operations.md) instead of blanking it.
resource twilioSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(twilioAuthToken)) {
  parent: vault
  name: twilioAuthTokenSecretName
  properties: { value: twilioAuthToken }
}

resource fcmSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(fcmServiceAccountJson)) {
  parent: vault
  name: fcmServiceAccountSecretName
  properties: { value: fcmServiceAccountJson }
}

resource appSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appPrincipalId, secretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUser)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The deployer sets and rotates secrets (docs/operations.md).
resource operatorSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(vault.id, operatorPrincipalId, secretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsOfficer)
    principalId: operatorPrincipalId
  }
}

output name string = vault.name
output twilioAuthTokenSecretName string = twilioAuthTokenSecretName
output fcmServiceAccountSecretName string = fcmServiceAccountSecretName
