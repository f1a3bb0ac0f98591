// The storage account: the engine's tables and queues (names from Engagement.Storage.TableNames /
// QueueNames, checked by tests/Engagement.Functions.Tests/Infra), the Functions host's blobs and
// the deployment package. Shared-key access is off: everything authenticates with Entra ID.
param name string
param location string
param tags object

@description('Names the per-shard tables: deliveries{shard}, touches{shard}, wakeupplans{shard} and wakeupdue{shard}, shard = s00, s01, ... (s000 from 101 shards).')
param userShards int
param deploymentContainerName string

@description('The app identity: gets exactly the data roles it uses.')
param appPrincipalId string

@description('The deployer (may be empty): queue and table data access for the runbook commands.')
param operatorPrincipalId string

// Built-in role ids (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var queueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var tableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var blobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'

// Shard names as UserShards.Name formats them: "s" + index, zero-padded to at least two digits.
var shardDigits = max(2, length(string(userShards - 1)))
var shardNames = [for i in range(0, userShards): 's${padLeft(string(i), shardDigits, '0')}']
var fixedTables = ['users', 'nightlyruns', 'nightlyshards', 'tiertransitions', 'errors', 'campaigns', 'inbox', 'phones', 'reactivations', 'serviceflags', 'runoutcomes', 'wallet', 'points', 'wakeupnights', 'referrals', 'content', 'contentruns', 'contentinteractions']
var shardTables = flatten(map(shardNames, s => ['deliveries${s}', 'touches${s}', 'wakeupplans${s}', 'wakeupdue${s}']))
var engineQueues = ['activity-events', 'nightly-shards', 'campaign-triggers', 'deliveries', 'provider-callbacks']
// The Functions host and the engine's DeadLetters both move bad messages to <queue>-poison.
var queues = flatten(map(engineQueues, q => [q, '${q}-poison']))

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    dnsEndpointType: 'Standard'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: deploymentContainerName
  properties: { publicAccess: 'None' }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource queueResources 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for q in queues: {
  parent: queueService
  name: q
}]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource tableResources 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for t in concat(fixedTables, shardTables): {
  parent: tableService
  name: t
}]

// The app: queues and tables (the engine and the queue triggers), blobs (the host's leases and
// timer state, and the deployment package Flex Consumption pulls with this identity).
var appRoles = [queueDataContributor, tableDataContributor, blobDataOwner]

resource appRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in appRoles: {
  name: guid(account.id, appPrincipalId, role)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}]

var operatorRoles = empty(operatorPrincipalId) ? [] : [queueDataContributor, tableDataContributor]

resource operatorRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in operatorRoles: {
  name: guid(account.id, operatorPrincipalId, role)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    principalId: operatorPrincipalId
  }
}]

output name string = account.name
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}${deploymentContainer.name}'
