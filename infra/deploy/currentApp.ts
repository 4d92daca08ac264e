import { AppError } from '../../shared/platform/errors/AppError';
import type { ArmClient } from './ArmClient';

export interface CurrentApp {
  name: string;
  /** As stored: Key Vault references unresolved. */
  settings: Readonly<Record<string, string>>;
}

export interface FindCurrentAppInit {
  client: ArmClient;
  resourceGroup: string;
  /** The functionAppName parameter when given, else the app is found by its azd tags. */
  functionAppName: string | undefined;
  environmentName: string;
}

/**
 * The function app an earlier deployment of this environment created, with its settings;
 * undefined on a first deployment. The template tags the app with the environment name and
 * azd's service name, which find it without knowing the generated name.
 */
export async function findCurrentApp(init: FindCurrentAppInit): Promise<CurrentApp | undefined> {
  const { client, resourceGroup, functionAppName, environmentName } = init;
  const matches: string[] = [];
  for await (const site of client.resources.listByResourceGroup(resourceGroup, { filter: "resourceType eq 'Microsoft.Web/sites'" })) {
    if (!site.name) continue;
    const byName = functionAppName !== undefined && site.name.toLowerCase() === functionAppName.toLowerCase();
    const byTags =
      functionAppName === undefined && site.tags?.['azd-env-name'] === environmentName && site.tags['azd-service-name'] === 'api';
    if (byName || byTags) matches.push(site.name);
  }
  if (matches.length === 0) return undefined;
  if (matches.length > 1) {
    throw new AppError({
      code: 'bad_request',
      detail: `resource group ${resourceGroup} holds several function apps of environment ${environmentName} (${matches.join(', ')}): name the one to update with the functionAppName parameter`,
    });
  }
  const name = matches[0]!;
  const settings = await client.webApps.listApplicationSettings(resourceGroup, name);
  return { name, settings: settings.properties ?? {} };
}
