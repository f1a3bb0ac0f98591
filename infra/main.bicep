// The whole Azure footprint of Engagement, deployed by `azd up` (or `az deployment sub create`).
// One resource group: the Function App (Flex Consumption), its storage account (the engine's
// tables and queues, the host's blobs, the deployment package), a user-assigned identity that
// reaches all of it without keys, Key Vault for provider secrets, and Application Insights.
targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('azd environment name; names every resource and tags them.')
param environmentName string

@minLength(1)
@description('Region for every resource (one that offers Flex Consumption).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the person or pipeline deploying; gets data access to the tables and queues (for `engage` runbook commands) and to Key Vault secrets. Empty: none.')
param principalId string = ''

@description('User shards (Storage__UserShards). Fixed once data exists: it names the per-shard ledger and touch-log tables.')
@minValue(1)
@maxValue(1000)
param userShards int = 16

@description('Time zone of the ops calendar (Activity__TimeZone), an IANA id.')
param activityTimeZone string = 'Asia/Shanghai'

@description('Nightly RFM run, six-field NCRONTAB in UTC. Default 18:00 UTC = 02:00 Asia/Shanghai.')
param nightlySchedule string = '0 0 18 * * *'

@description('Twilio account SID. Empty: the SMS channel is off (triggers using it are refused).')
param twilioAccountSid string = ''

@secure()
@description('Twilio auth token; stored in Key Vault only. Empty on later deployments keeps the secret already in the vault.')
param twilioAuthToken string = ''

@description('Twilio Messaging Service SID (preferred) ...')
param twilioMessagingServiceSid string = ''

@description('... or the sending number, E.164. Exactly one of the two.')
param twilioFrom string = ''

@description('Pacing in segments per second: 1 for a US long code, ~100 for a short code.')
param twilioSegmentsPerSecond string = '1'

@description('FCM project id. Empty: the push channel is off.')
param fcmProjectId string = ''

@secure()
@description('FCM service-account JSON key; stored in Key Vault only. Empty on later deployments keeps the secret already in the vault.')
param fcmServiceAccountJson string = ''

@description('Flex Consumption scale-out limit.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  params: {
    name: 'id-engagement-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  params: {
    name: 'steng${resourceToken}'
    location: location
    tags: tags
    userShards: userShards
    deploymentContainerName: 'app-package'
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: principalId
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
  }
}

module vault 'modules/keyvault.bicep' = {
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: principalId
    twilioAuthToken: twilioAuthToken
    fcmServiceAccountJson: fcmServiceAccountJson
  }
}

module functions 'modules/functionapp.bicep' = {
  scope: rg
  params: {
    name: 'func-engagement-${resourceToken}'
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultName: vault.outputs.name
    twilioAuthTokenSecretName: vault.outputs.twilioAuthTokenSecretName
    fcmServiceAccountSecretName: vault.outputs.fcmServiceAccountSecretName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    userShards: userShards
    activityTimeZone: activityTimeZone
    nightlySchedule: nightlySchedule
    twilioAccountSid: twilioAccountSid
    twilioMessagingServiceSid: twilioMessagingServiceSid
    twilioFrom: twilioFrom
    twilioSegmentsPerSecond: twilioSegmentsPerSecond
    fcmProjectId: fcmProjectId
  }
}

// azd reads these into the environment; the runbook's `engage` commands use the storage ones.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functions.outputs.name
output AZURE_KEY_VAULT_NAME string = vault.outputs.name
output Storage__AccountName string = storage.outputs.name
