import type { TokenCredential } from '@azure/identity';

/**
 * The credential for identity-based storage, chosen as the Functions host chooses it for
 * `AzureWebJobsStorage__*`: a user-assigned managed identity when `__clientId` is set,
 * else the default chain (the system-assigned identity in Azure, a developer login locally).
 * Building it does no network I/O; the first token request does.
 */
export function createStorageCredential(target: { clientId?: string }): TokenCredential {
  // Required here, not imported at the top: @azure/identity is the heaviest module of the
  // start-up (about 130 ms on the bench machine) and a connection string never needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous load on first use
  const identity = require('@azure/identity') as typeof import('@azure/identity');
  return target.clientId ? new identity.ManagedIdentityCredential({ clientId: target.clientId }) : new identity.DefaultAzureCredential();
}
