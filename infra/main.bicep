// jira-outlook-cloud: everything one deployment needs in one resource group, so that a
// customer can stand the integration up in their own subscription (docs/deployment.md).
targetScope = 'resourceGroup'

metadata description = 'jira-outlook-cloud: Azure Functions (Flex Consumption) with Table Storage, queues, Key Vault and Application Insights'

@description('Name of the environment (azd environment, or the resource group): tags every resource and seeds the unique names.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Azure region; it must offer the Flex Consumption plan.')
param location string = resourceGroup().location

@description('E-mail address the operators\' action group alerts (poison messages, function failures, failed renewals, /api/health down); empty: no e-mail, the alerts still show in the portal.')
param alertEmail string = ''

@description('Client id of the app registration the app calls Microsoft Graph with (GRAPH_CLIENT_ID).')
@minLength(1)
param graphClientId string

@description('Client secret of that app registration; stored in Key Vault only (GRAPH_CLIENT_SECRET).')
@secure()
param graphClientSecret string

@description('DATA_ENCRYPTION_KEY: kid:base64(32 bytes), comma separated, the first one encrypts; stored in Key Vault only. Written only when given: empty keeps the stored key (npm run deploy refuses a different one without --rotate-data-key). Required on the first deployment.')
@secure()
param dataEncryptionKey string = ''

@description('API_AUDIENCE: audiences accepted on bearer tokens, comma separated; empty means api://<graphClientId> and <graphClientId>.')
param apiAudience string = ''

@description('AUTH_ALLOWED_TENANTS: tenant ids allowed to call the API, comma separated; * allows any tenant. Defaults to the tenant of the subscription deployed to.')
@minLength(1)
param authAllowedTenants string = subscription().tenantId

@description('ALLOWED_ORIGINS: browser origins of the Outlook add-in, comma separated.')
param allowedOrigins string = ''

@description('PUBLIC_BASE_URL when the app is reached through a custom domain; empty uses the function app\'s host name.')
param publicBaseUrl string = ''

@description('PROXY_MAX_BODY_BYTES and the host\'s FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: the largest request body, one figure on both sides (100 MiB, the host\'s default).')
@minValue(1)
@maxValue(2147483647)
param proxyMaxBodyBytes int = 104857600

@description('GRAPH_ENCRYPTION_CERTIFICATE: base64 certificate Graph encrypts rich notifications with; empty turns them off.')
param graphEncryptionCertificate string = ''

@description('GRAPH_ENCRYPTION_CERTIFICATE_ID: the id of that certificate.')
param graphEncryptionCertificateId string = ''

@description('GRAPH_ENCRYPTION_PRIVATE_KEYS: id:base64 private keys of the certificates; stored in Key Vault only, written only when given (empty keeps the stored ones).')
@secure()
param graphEncryptionPrivateKeys string = ''

// The optional settings: empty leaves the setting out, so the app's own default applies
// (docs/settings.md). Each one is a parameter because sites/config/appsettings replaces the
// whole set: a value set by hand in the portal is gone after the next deployment.

@description('AUTH_ISSUER_TEMPLATE: expected iss with {tenantId}; empty: the app\'s default.')
param authIssuerTemplate string = ''

@description('AUTH_ISSUER_TEMPLATE_V1: expected iss of v1.0 access tokens with {tenantId}; empty: the app\'s default (Entra\'s global cloud).')
param authIssuerTemplateV1 string = ''

@description('AUTH_ALLOWED_CLIENT_IDS: application (client) ids of the Outlook add-in whose tokens are accepted, comma separated; empty refuses every bearer token.')
param authAllowedClientIds string = ''

@description('OPERATOR_ROLE: app role that lets a user of OPERATOR_TENANT_ID replay every tenant\'s poisoned messages; empty: only the CLI can.')
param operatorRole string = ''

@description('OPERATOR_TENANT_ID: the operator\'s own tenant, where OPERATOR_ROLE counts; set with operatorRole or not at all.')
param operatorTenantId string = ''

@description('AUTH_JWKS_URL: signing keys of bearer tokens; empty: the app\'s default.')
param authJwksUrl string = ''

@description('AUTH_CLOCK_SKEW: tolerance on exp/nbf (90s, 2m); empty: the app\'s default.')
param authClockSkew string = ''

@description('ADMIN_ROLE: app role of the administration routes; empty: the app\'s default.')
param adminRole string = ''

@description('GRAPH_AUTHORITY_HOST: token authority host; empty: the app\'s default.')
param graphAuthorityHost string = ''

@description('GRAPH_BASE_URL: Microsoft Graph endpoint; empty: the app\'s default.')
param graphBaseUrl string = ''

@description('GRAPH_VALIDATION_JWKS_URL: keys of rich notifications\' validation tokens; empty: the app\'s default.')
param graphValidationJwksUrl string = ''

@description('GRAPH_VALIDATION_ISSUER_TEMPLATE: their issuer with {tenantId}; empty: the app\'s default.')
param graphValidationIssuerTemplate string = ''

@description('GRAPH_SUBSCRIPTION_MINUTES: subscription lifetime asked of Graph; empty: the app\'s default.')
param graphSubscriptionMinutes string = ''

@description('GRAPH_RENEWAL_WINDOW_MINUTES: renew what expires within this window; empty: the app\'s default.')
param graphRenewalWindowMinutes string = ''

@description('ALLOW_INSECURE_JIRA: allow http:// Jira base URLs; empty: the app\'s default (false).')
@allowed([
  ''
  'true'
  'false'
])
param allowInsecureJira string = ''

@description('ALLOW_PRIVATE_NETWORK_TARGETS: allow private-network Jira addresses; empty: the app\'s default (false).')
@allowed([
  ''
  'true'
  'false'
])
param allowPrivateNetworkTargets string = ''

@description('OUTBOUND_CONNECT_TIMEOUT_MS; empty: the app\'s default.')
param outboundConnectTimeoutMs string = ''

@description('OUTBOUND_HEADERS_TIMEOUT_MS; empty: the app\'s default.')
param outboundHeadersTimeoutMs string = ''

@description('OUTBOUND_BODY_TIMEOUT_MS; empty: the app\'s default.')
param outboundBodyTimeoutMs string = ''

@description('OUTBOUND_CONNECTIONS_PER_ORIGIN; empty: the app\'s default.')
param outboundConnectionsPerOrigin string = ''

@description('LICENSE_TTL: how long a good license answer is reused; empty: the app\'s default.')
param licenseTtl string = ''

@description('LICENSE_BAD_TTL: how long a bad license answer is reused; empty: the app\'s default.')
param licenseBadTtl string = ''

@description('LICENSE_GRACE: how long the last good answer is served while Jira is down; empty: the app\'s default.')
param licenseGrace string = ''

@description('LICENSE_UNKNOWN_POLICY: allow or deny when no decision can be had; empty: the app\'s default.')
@allowed([
  ''
  'allow'
  'deny'
])
param licenseUnknownPolicy string = ''

@description('NOTIFY_RETRY_MAX_DELAY: longest Retry-After the fan-out honours; empty: the app\'s default.')
param notifyRetryMaxDelay string = ''

@description('DELIVERY_LEASE: a pending delivery older than this is taken over; empty: the app\'s default.')
param deliveryLease string = ''

@description('NOTIFY_DIGEST_WINDOW: at most one notification per issue and conversation per window, the rest digested; empty: the app\'s default.')
param notifyDigestWindow string = ''

@description('DELIVERY_RETENTION: how long delivery ledger rows are kept; empty: the app\'s default.')
param deliveryRetention string = ''

@description('REPORT_FLUSH_INTERVAL: how often the report counters summed in memory are written; empty: the app\'s default.')
param reportFlushInterval string = ''

@description('LOG_LEVEL: debug, info, warn or error; empty: the app\'s default.')
@allowed([
  ''
  'debug'
  'info'
  'warn'
  'error'
])
param logLevel string = ''

@description('OTEL_CONSOLE: print every span to the console (the log stream); empty: the app\'s default (false).')
@allowed([
  ''
  'true'
  'false'
])
param otelConsole string = ''

@description('Name of the function app; empty derives a unique one.')
@maxLength(60)
param functionAppName string = ''

@description('Node.js major version of the function app (22 is supported on Azure Functions to 2027-04-30).')
@allowed([
  '22'
  '24'
])
param nodeVersion string = '22'

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

@description('Always-ready instances of the HTTP group: Graph wants its webhook answered within 3 s, which a start from zero does not reliably make. Billed while idle; 0 scales to zero.')
@minValue(0)
@maxValue(1000)
param alwaysReadyHttpInstances int = 1

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
// test/unit/infra/consistency.test.ts fails when the two lists drift apart.
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
  'digests'
  'trails'
  'jobRuns'
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
var graphEncryptionPrivateKeysSecretName = 'graph-encryption-private-keys'
var richNotifications = !empty(graphEncryptionCertificate)
var optionalSettings = {
  AUTH_ISSUER_TEMPLATE: authIssuerTemplate
  AUTH_ISSUER_TEMPLATE_V1: authIssuerTemplateV1
  AUTH_ALLOWED_CLIENT_IDS: authAllowedClientIds
  OPERATOR_ROLE: operatorRole
  OPERATOR_TENANT_ID: operatorTenantId
  AUTH_JWKS_URL: authJwksUrl
  AUTH_CLOCK_SKEW: authClockSkew
  ADMIN_ROLE: adminRole
  ALLOWED_ORIGINS: allowedOrigins
  GRAPH_AUTHORITY_HOST: graphAuthorityHost
  GRAPH_BASE_URL: graphBaseUrl
  GRAPH_VALIDATION_JWKS_URL: graphValidationJwksUrl
  GRAPH_VALIDATION_ISSUER_TEMPLATE: graphValidationIssuerTemplate
  GRAPH_SUBSCRIPTION_MINUTES: graphSubscriptionMinutes
  GRAPH_RENEWAL_WINDOW_MINUTES: graphRenewalWindowMinutes
  GRAPH_ENCRYPTION_CERTIFICATE: graphEncryptionCertificate
  GRAPH_ENCRYPTION_CERTIFICATE_ID: graphEncryptionCertificateId
  ALLOW_INSECURE_JIRA: allowInsecureJira
  ALLOW_PRIVATE_NETWORK_TARGETS: allowPrivateNetworkTargets
  OUTBOUND_CONNECT_TIMEOUT_MS: outboundConnectTimeoutMs
  OUTBOUND_HEADERS_TIMEOUT_MS: outboundHeadersTimeoutMs
  OUTBOUND_BODY_TIMEOUT_MS: outboundBodyTimeoutMs
  OUTBOUND_CONNECTIONS_PER_ORIGIN: outboundConnectionsPerOrigin
  LICENSE_TTL: licenseTtl
  LICENSE_BAD_TTL: licenseBadTtl
  LICENSE_GRACE: licenseGrace
  LICENSE_UNKNOWN_POLICY: licenseUnknownPolicy
  NOTIFY_RETRY_MAX_DELAY: notifyRetryMaxDelay
  DELIVERY_LEASE: deliveryLease
  NOTIFY_DIGEST_WINDOW: notifyDigestWindow
  DELIVERY_RETENTION: deliveryRetention
  REPORT_FLUSH_INTERVAL: reportFlushInterval
  LOG_LEVEL: logLevel
  // What the Functions host keeps of the app's context.log lines (host.json logging.logLevel.Function,
  // overridden by an app setting of this name): LOG_LEVEL's word in the host's terms.
  AzureFunctionsJobHost__logging__logLevel__Function: logLevel == 'debug' ? 'Debug' : logLevel == 'info' ? 'Information' : logLevel == 'warn' ? 'Warning' : logLevel == 'error' ? 'Error' : ''
  OTEL_CONSOLE: otelConsole
}

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
    graphEncryptionPrivateKeys: graphEncryptionPrivateKeys
    graphClientSecretName: graphClientSecretName
    dataEncryptionKeySecretName: dataEncryptionKeySecretName
    graphEncryptionPrivateKeysSecretName: graphEncryptionPrivateKeysSecretName
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
    secretNames: concat([graphClientSecretName, dataEncryptionKeySecretName], richNotifications ? [graphEncryptionPrivateKeysSecretName] : [])
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
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
    graphClientSecretUri: keyVault.outputs.graphClientSecretUri
    dataEncryptionKeyUri: keyVault.outputs.dataEncryptionKeyUri
    graphEncryptionPrivateKeysUri: keyVault.outputs.graphEncryptionPrivateKeysUri
    richNotifications: richNotifications
    graphClientId: graphClientId
    apiAudience: empty(apiAudience) ? 'api://${graphClientId},${graphClientId}' : apiAudience
    authAllowedTenants: authAllowedTenants
    publicBaseUrl: customBaseUrl
    proxyMaxBodyBytes: proxyMaxBodyBytes
    optionalSettings: optionalSettings
  }
}

var baseUrl = empty(customBaseUrl) ? 'https://${functionApp.outputs.defaultHostName}' : customBaseUrl

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  // The component is named before the deployment (what-if stays precise); `baseUrl` already orders this after it.
  params: {
    namePrefix: 'alert-${resourceToken}'
    location: location
    tags: tags
    applicationInsightsName: applicationInsightsName
    baseUrl: baseUrl
    alertEmail: alertEmail
  }
}

output functionAppName string = functionApp.outputs.name
output functionAppHostName string = functionApp.outputs.defaultHostName
output functionAppUrl string = baseUrl
output graphNotificationUrl string = '${baseUrl}/api/graph/notifications'
output graphLifecycleUrl string = '${baseUrl}/api/graph/lifecycle'
output jiraOAuthCallbackUrl string = '${baseUrl}/api/jira/oauth/callback'
output keyVaultName string = keyVault.outputs.name
output storageAccountName string = storage.outputs.name
output applicationInsightsName string = monitoring.outputs.applicationInsightsName
