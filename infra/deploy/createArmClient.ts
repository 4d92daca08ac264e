import { ResourceManagementClient } from '@azure/arm-resources';
import { DefaultAzureCredential } from '@azure/identity';
import type { ArmClient } from './ArmClient';

/**
 * The real client: whoever is signed in to the Azure CLI, azd, or the environment's
 * service principal or managed identity (DefaultAzureCredential tries them in turn).
 */
export function createArmClient(subscriptionId: string): ArmClient {
  return new ResourceManagementClient(new DefaultAzureCredential(), subscriptionId);
}
