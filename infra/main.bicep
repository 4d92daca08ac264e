// jira-outlook-cloud: everything one deployment needs in one resource group, so that a
// customer can stand the integration up in their own subscription (DEPLOY.md).
targetScope = 'resourceGroup'

metadata description = 'jira-outlook-cloud: Azure Functions (Flex Consumption) with Table Storage, queues, Key Vault and Application Insights'

@description('Name of the environment (azd environment, or the resource group): tags every resource and seeds the unique names.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Azure region; it must offer the Flex Consumption plan.')
param location string = resourceGroup().location

@description('Client id of the app registration the app calls Microsoft Graph with (GRAPH_CLIENT_ID).')
@minLength(1)
param graphClientId string

@description('Client secret of that app registration; stored in Key Vault only (GRAPH_CLIENT_SECRET).')
@secure()
param graphClientSecret string

@description('DATA_ENCRYPTION_KEY: kid:base64(32 bytes), comma separated, the first one encrypts; stored in Key Vault only.')
@secure()
param dataEncryptionKey string

@description('API_AUDIENCE: audiences accepted on bearer tokens, comma separated; empty means api://<graphClientId> and <graphClientId>.')
param apiAudience string = ''

@description('AUTH_ALLOWED_TENANTS: tenant ids allowed to call the API, comma separated; empty allows any tenant.')
param authAllowedTenants string = ''

@description('ALLOWED_ORIGINS: browser origins of the Outlook add-in, comma separated.')
param allowedOrigins string = ''

@description('PUBLIC_BASE_URL when the app is reached through a custom domain; empty uses the function app\'s host name.')
param publicBaseUrl string = ''

@description('Name of the function app; empty derives a unique one.')
@maxLength(60)
param functionAppName string = ''

@description('Node.js major version of the function app.')
@allowed([
  '20'
  '22'
])
param nodeVersion string = '20'

@description('Memory of each Flex Consumption instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound of Flex Consumption instances.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Storage redundancy.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSku string = 'Standard_LRS'

@description('Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

// The queues and tables of DESIGN.md (shared/platform/storage/queueNames.ts, tableNames.ts);
// test/infra/consistency.test.ts fails when the two lists drift apart.
var queueNames = [
  'graph-notifications'
  'graph-notifications-poison'
  'graph-lifecycle'
  'graph-lifecycle-poison'
  'jira-notify'
  'jira-notify-poison'
]
var tableNames = [
  'instances'
  'jiraTokens'
  'subscriptions'
  'mailboxes'
  'links'
  'deliveries'
  'licenses'
  'reports'
]

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = {
  'azd-env-name': environmentName
  application: 'jira-outlook-cloud'
}
var appName = empty(functionAppName) ? 'func-${resourceToken}' : functionAppName
var identityName = 'id-${resourceToken}'
var storageAccountName = 'st${resourceToken}'
var keyVaultName = 'kv-${resourceToken}'
var applicationInsightsName = 'appi-${resourceToken}'
var customBaseUrl = endsWith(publicBaseUrl, '/') ? take(publicBaseUrl, length(publicBaseUrl) - 1) : publicBaseUrl
var graphClientSecretName = 'graph-client-secret'
var dataEncryptionKeySecretName = 'data-encryption-key'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: storageAccountName
    location: location
    tags: tags
    queueNames: queueNames
    tableNames: tableNames
    deploymentContainerName: 'app-package'
    skuName: storageSku
  }
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'keyVault'
  params: {
    name: keyVaultName
    location: location
    tags: tags
    graphClientSecret: graphClientSecret
    dataEncryptionKey: dataEncryptionKey
    graphClientSecretName: graphClientSecretName
    dataEncryptionKeySecretName: dataEncryptionKeySecretName
  }
}

// Names known before the deployment starts keep what-if precise; the modules that create
// the resources are therefore explicit dependencies.
module roleAssignments 'modules/roleAssignments.bicep' = {
  name: 'roleAssignments'
  dependsOn: [
    identity
    storage
    monitoring
    keyVault
  ]
  params: {
    identityName: identityName
    storageAccountName: storageAccountName
    applicationInsightsName: applicationInsightsName
    keyVaultName: keyVaultName
    secretNames: [
      graphClientSecretName
      dataEncryptionKeySecretName
    ]
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  // The app resolves its storage and Key Vault references at start: the roles come first.
  dependsOn: [
    roleAssignments
  ]
  params: {
    planName: 'plan-${resourceToken}'
    name: appName
    location: location
    tags: tags
    appTags: union(tags, { 'azd-service-name': 'api' })
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    nodeVersion: nodeVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    graphClientSecretUri: keyVault.outputs.graphClientSecretUri
    dataEncryptionKeyUri: keyVault.outputs.dataEncryptionKeyUri
    graphClientId: graphClientId
    apiAudience: empty(apiAudience) ? 'api://${graphClientId},${graphClientId}' : apiAudience
    authAllowedTenants: authAllowedTenants
    allowedOrigins: allowedOrigins
    publicBaseUrl: customBaseUrl
  }
}

var baseUrl = empty(customBaseUrl) ? 'https://${functionApp.outputs.defaultHostName}' : customBaseUrl

output functionAppName string = functionApp.outputs.name
output functionAppHostName string = functionApp.outputs.defaultHostName
output functionAppUrl string = baseUrl
output graphNotificationUrl string = '${baseUrl}/api/graph/notifications'
output graphLifecycleUrl string = '${baseUrl}/api/graph/lifecycle'
output jiraOAuthCallbackUrl string = '${baseUrl}/api/jira/oauth/callback'
output keyVaultName string = keyVault.outputs.name
output storageAccountName string = storage.outputs.name
output applicationInsightsName string = monitoring.outputs.applicationInsightsName
