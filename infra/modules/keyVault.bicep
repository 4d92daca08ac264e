// The vault for the app's secrets. RBAC mode: access is a role assignment on one secret,
// never an access policy on the whole vault. A secret is written only when its value is
// given, so a redeployment without it keeps what is stored (a different data key would
// make every stored secret undecryptable).

@description('Name of the Key Vault (3-24 letters, digits and hyphens).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for the resources.')
param tags object

@description('Client secret of the Graph app registration.')
@secure()
param graphClientSecret string

@description('DATA_ENCRYPTION_KEY: kid:base64(32 bytes), comma separated, the first one encrypts; empty keeps the stored one.')
@secure()
param dataEncryptionKey string

@description('GRAPH_ENCRYPTION_PRIVATE_KEYS: id:base64 private keys; empty keeps the stored ones.')
@secure()
param graphEncryptionPrivateKeys string

@description('Name of the secret that holds the Graph client secret.')
param graphClientSecretName string

@description('Name of the secret that holds DATA_ENCRYPTION_KEY.')
param dataEncryptionKeySecretName string

@description('Name of the secret that holds GRAPH_ENCRYPTION_PRIVATE_KEYS.')
param graphEncryptionPrivateKeysSecretName string

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // Losing DATA_ENCRYPTION_KEY loses every stored token and private key, so a deleted
    // vault stays recoverable for the whole retention period.
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource graphSecret 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = {
  parent: vault
  name: graphClientSecretName
  properties: {
    value: graphClientSecret
    contentType: 'text/plain'
  }
}

resource dataKey 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = if (!empty(dataEncryptionKey)) {
  parent: vault
  name: dataEncryptionKeySecretName
  properties: {
    value: dataEncryptionKey
    contentType: 'text/plain'
  }
}

resource graphPrivateKeys 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = if (!empty(graphEncryptionPrivateKeys)) {
  parent: vault
  name: graphEncryptionPrivateKeysSecretName
  properties: {
    value: graphEncryptionPrivateKeys
    contentType: 'text/plain'
  }
}

output name string = vault.name
// Versionless URIs: a Key Vault reference to one follows a rotation without a redeploy.
// Built from the vault for the secrets this deployment may leave untouched.
output graphClientSecretUri string = graphSecret.properties.secretUri
output dataEncryptionKeyUri string = '${vault.properties.vaultUri}secrets/${dataEncryptionKeySecretName}'
output graphEncryptionPrivateKeysUri string = '${vault.properties.vaultUri}secrets/${graphEncryptionPrivateKeysSecretName}'
