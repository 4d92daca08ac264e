import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';

/**
 * The credential for identity-based storage, chosen as the Functions host chooses it for
 * `AzureWebJobsStorage__*`: a user-assigned managed identity when `__clientId` is set,
 * else the default chain (the system-assigned identity in Azure, a developer login locally).
 * Building it does no network I/O; the first token request does.
 */
export function createStorageCredential(target: { clientId?: string }): TokenCredential {
  return target.clientId ? new ManagedIdentityCredential({ clientId: target.clientId }) : new DefaultAzureCredential();
}
