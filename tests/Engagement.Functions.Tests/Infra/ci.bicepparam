// Parameters for the CI snapshot of infra/main.bicep (bicep snapshot evaluates the template
// without Azure; tests/Engagement.Functions.Tests/Infra read the result). Both channels on, and
// 128 shards so the three-digit shard names (s000..s127) are exercised too.
using '../../../infra/main.bicep'

param environmentName = 'ci'
param location = 'eastus2'
param principalId = '00000000-0000-0000-0000-0000000000aa'
param userShards = 128
param twilioAccountSid = 'AC-ci-placeholder'
param twilioMessagingServiceSid = 'MG-ci-placeholder'
param fcmProjectId = 'engagement-ci'
