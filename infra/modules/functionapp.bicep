// The Function App on Flex Consumption. Its app settings are the engine's whole configuration:
// the same names as the options classes, the README table and local.settings.example.json (a test
// in tests/Engagement.Functions.Tests/Infra keeps the four in step).
param name string
param planName string
param location string
param tags object
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerUrl string
param applicationInsightsConnectionString string
param keyVaultName string
param twilioAuthTokenSecretName string
param fcmServiceAccountSecretName string
param maximumInstanceCount int
param instanceMemoryMB int
param userShards int
param activityTimeZone string
param nightlySchedule string
param twilioAccountSid string
param twilioMessagingServiceSid string
param twilioFrom string
param twilioSegmentsPerSecond string
param fcmProjectId string

// Must match the Functions project's TargetFramework (net10.0): the Bicep type check takes any string.
var runtimeName = 'dotnet-isolated'
var runtimeVersion = '10.0'

// A channel's secret is referenced only when the channel is on: an unresolved reference would stay
// the literal "@Microsoft.KeyVault(...)" text, which the engine refuses at start-up.
var twilioAuthTokenReference = empty(twilioAccountSid) ? '' : '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${twilioAuthTokenSecretName})'
var fcmServiceAccountReference = empty(fcmProjectId) ? '' : '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${fcmServiceAccountSecretName})'

// The Functions host: identity-based storage (no account key) and Entra-authenticated telemetry.
var hostSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

// The engine: every options-class setting. Values that are not parameters are the code's defaults,
// written out so operators see (and tune) them in one place.
var engineSettings = {
  NightlySchedule: nightlySchedule
  PlaybookSchedule: '0 */10 * * * *'
  WakeUp__Enabled: 'true'
  WakeUp__HoldoutPercent: '10'
  WakeUp__CooldownDays: '60'
  WakeUp__StartOnRegistration: 'true'
  WakeUp__Tier: 'potential'
  WakeUp__LocalTime: '12:00'
  WakeUp__Title: '今日小任务 · Today\'s small task'
  WakeUp__FirstMonthActiveDays: '4'
  WakeUp__FirstMonthDays: '30'
  WakeUp__CatalogueVersion: '2026-12'
  Points__ExpiresAfterMonths: '12'
  Points__CachedAccounts: '100000'
  Referral__Enabled: 'true'
  Referral__FriendsNeeded: '3'
  Referral__FriendActiveDays: '2'
  Referral__WithinDays: '30'
  Referral__CouponItem: 'referral-50'
  Referral__CouponValue: '50'
  Referral__CouponCurrency: 'CNY'
  Referral__CouponValidDays: '30'
  Referral__Template: ''
  Referral__Title: ''
  Content__Pick__Weights__Purchase: '5'
  Content__Pick__Weights__Interaction: '1'
  Content__Pick__Weights__Login: '0'
  Content__Pick__HalfLifeDays: '30'
  Content__Pick__RepeatWindowWeeks: '12'
  Content__Weekly__Enabled: 'true'
  Content__Weekly__Schedule: '0 0 2 * * 1'
  Content__Weekly__Tier: 'regular'
  Content__Weekly__HoldoutPercent: '10'
  Content__Weekly__ExpiresAfterDays: '3'
  Content__Weekly__AttributionDays: '7'
  Storage__AccountName: storageAccountName
  Storage__ClientId: identityClientId
  Storage__UserShards: string(userShards)
  Activity__TimeZone: activityTimeZone
  Activity__MaxFutureSkew: '00:10:00'
  Activity__MaxEventsPerMessage: '2000'
  Activity__WriteParallelism: '8'
  Activity__CachedUsers: '100000'
  Segmentation__FrequencyWindowDays: '90'
  Segmentation__MonetaryWindowDays: '365'
  Segmentation__NoHistory__RecentDays: '30'
  Segmentation__NoHistory__RecentTier: 'potential'
  Segmentation__NoHistory__OtherwiseTier: 'dormant'
  Campaigns__MaxUserIds: '5000'
  Campaigns__MaxTemplateChars: '2000'
  Delivery__ChunkSize: '400'
  Delivery__SendParallelism: '32'
  Delivery__QuietHoursStart: '21:00'
  Delivery__QuietHoursEnd: '09:00'
  Delivery__CapMessages: '3'
  Delivery__CapWindowDays: '7'
  Delivery__DormantSmsPerMonth: '1'
  Delivery__SendLease: '00:05:00'
  Delivery__NotSentRetryDelay: '00:00:30'
  Delivery__UnknownResolveAfter: '00:10:00'
  Delivery__DormantTier: 'dormant'
  Sms__BrandSignature: '【Brand】'
  Sms__OptOutLineCn: '回T退订'
  Sms__OptOutLine: 'Reply STOP to opt out'
  Sms__MaxSegments: '6'
  Queues__MaxDequeueCount: '5'
  Twilio__AccountSid: twilioAccountSid
  Twilio__AuthToken: twilioAuthTokenReference
  Twilio__MessagingServiceSid: twilioMessagingServiceSid
  Twilio__From: twilioFrom
  // the TwilioStatus function; each message's callback adds ?deliveryId=
  Twilio__StatusCallbackUrl: 'https://${app.properties.defaultHostName}/api/twilio/status'
  // the TwilioInbound function (set it as the Messaging Service's incoming-message webhook); signatures are checked against it
  Twilio__InboundUrl: 'https://${app.properties.defaultHostName}/api/twilio/inbound'
  Twilio__SegmentsPerSecond: twilioSegmentsPerSecond
  Twilio__RequestTimeout: '00:00:15'
  Twilio__MaxRetries: '3'
  Twilio__CircuitFailureRatio: '0.5'
  Twilio__CircuitMinimumThroughput: '20'
  Twilio__CircuitSamplingDuration: '00:00:30'
  Twilio__CircuitBreakDuration: '00:00:30'
  Fcm__ProjectId: fcmProjectId
  Fcm__ServiceAccountJson: fcmServiceAccountReference
  Fcm__RequestTimeout: '00:00:10'
  Fcm__MaxRetries: '3'
  Fcm__CircuitFailureRatio: '0.5'
  Fcm__CircuitMinimumThroughput: '20'
  Fcm__CircuitSamplingDuration: '00:00:30'
  Fcm__CircuitBreakDuration: '00:00:30'
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'functions' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: runtimeName
        version: runtimeVersion
      }
    }
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: union(hostSettings, engineSettings)
}

// No basic-auth publishing (FTP or SCM): azd deploys with Entra ID.
resource ftp 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: { allow: false }
}

resource scm 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: { allow: false }
}

output name string = app.name
