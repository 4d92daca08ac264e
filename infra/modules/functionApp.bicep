// The function app on the Flex Consumption plan. The runtime, the scale and the code
// package location live in functionAppConfig: Flex rejects FUNCTIONS_WORKER_RUNTIME,
// FUNCTIONS_EXTENSION_VERSION and WEBSITE_RUN_FROM_PACKAGE as app settings.

@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the function app (globally unique host name).')
param name string

@description('Azure region.')
param location string

@description('Tags for the plan.')
param tags object

@description('Tags for the function app; azd finds the service by its azd-service-name tag.')
param appTags object

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Name of the storage account (host storage and app state).')
param storageAccountName string

@description('URL of the blob container the code package is deployed to.')
param deploymentContainerUrl string

@description('Application Insights connection string.')
param applicationInsightsConnectionString string

@description('Node.js major version.')
@allowed([
  '22'
  '24'
])
param nodeVersion string

@description('Memory of each instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Upper bound of instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Always-ready instances of the HTTP group (all HTTP functions); 0 lets it scale to zero.')
@minValue(0)
@maxValue(1000)
param alwaysReadyHttpInstances int

@description('Versionless URI of the Key Vault secret with the Graph client secret.')
param graphClientSecretUri string

@description('Versionless URI of the Key Vault secret with DATA_ENCRYPTION_KEY.')
param dataEncryptionKeyUri string

@description('Versionless URI of the Key Vault secret with GRAPH_ENCRYPTION_PRIVATE_KEYS.')
param graphEncryptionPrivateKeysUri string

@description('Rich notifications are on (GRAPH_ENCRYPTION_CERTIFICATE is set): the app then reads the private keys.')
param richNotifications bool

@description('GRAPH_CLIENT_ID: the app registration that calls Microsoft Graph.')
param graphClientId string

@description('API_AUDIENCE: audiences accepted on bearer tokens, comma separated.')
param apiAudience string

@description('AUTH_ALLOWED_TENANTS: tenant ids allowed to call, comma separated; * allows any.')
@minLength(1)
param authAllowedTenants string

@description('PUBLIC_BASE_URL override (a custom domain); empty uses the app\'s own host name.')
param publicBaseUrl string

@description('PROXY_MAX_BODY_BYTES, and the host\'s FUNCTIONS_REQUEST_BODY_SIZE_LIMIT with it.')
param proxyMaxBodyBytes int

@description('Setting name → value; an empty value leaves the setting out (the app\'s default applies).')
param optionalSettings object

var writtenOptionalSettings = toObject(filter(items(optionalSettings), setting => !empty(setting.value)), setting => setting.key, setting => setting.value)

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
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

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: appTags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Without it, Key Vault references look for a system-assigned identity that isn't there.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
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
      runtime: {
        name: 'node'
        version: nodeVersion
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        // 'http' is the group of every HTTP-triggered function.
        alwaysReady: alwaysReadyHttpInstances > 0
          ? [
              {
                name: 'http'
                instanceCount: alwaysReadyHttpInstances
              }
            ]
          : []
      }
    }
  }
}

// Publishing goes through Entra ID (azd, Core Tools, az); basic auth stays off.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

// A child resource rather than siteConfig.appSettings: it can read the site's own host
// name for PUBLIC_BASE_URL without a dependency cycle. It replaces the whole set on every
// deployment, so every setting the app reads comes from a parameter (or from the
// resources), never from a hand edit in the portal.
resource appSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: union(
    {
      AzureWebJobsStorage__accountName: storageAccountName
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identityClientId
      // The template creates every table and queue: the app makes no storage call at start.
      STORAGE_PROVISIONED: 'true'
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
      DATA_ENCRYPTION_KEY: '@Microsoft.KeyVault(SecretUri=${dataEncryptionKeyUri})'
      GRAPH_CLIENT_ID: graphClientId
      GRAPH_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${graphClientSecretUri})'
      PUBLIC_BASE_URL: empty(publicBaseUrl) ? 'https://${site.properties.defaultHostName}' : publicBaseUrl
      API_AUDIENCE: apiAudience
      AUTH_ALLOWED_TENANTS: authAllowedTenants
      // One figure: the host refuses a larger body before the proxy would.
      PROXY_MAX_BODY_BYTES: string(proxyMaxBodyBytes)
      FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: string(proxyMaxBodyBytes)
    },
    richNotifications ? { GRAPH_ENCRYPTION_PRIVATE_KEYS: '@Microsoft.KeyVault(SecretUri=${graphEncryptionPrivateKeysUri})' } : {},
    writtenOptionalSettings
  )
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
