import { ResourceManagementClient } from '@azure/arm-resources';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { z } from 'zod';
import { AppError } from '../../shared/platform/errors/AppError';
import type { ArmClient } from './ArmClient';

export interface ArmClientInit {
  subscriptionId: string;
  /** Default: whoever is signed in to the Azure CLI, azd, or the environment's service principal or managed identity. */
  credential?: TokenCredential;
  /** Resource Manager's endpoint (another cloud, or a test stand-in). */
  endpoint?: string;
}

// The app settings are read with the API version the template deploys the site with.
const WEB_API_VERSION = '2025-03-01';
const KEY_VAULT_API_VERSION = '7.5';

const appSettingsSchema = z.object({ properties: z.record(z.string(), z.string()).optional() });
const secretSchema = z.object({ value: z.string() });
const azureErrorSchema = z.object({ error: z.object({ code: z.string().optional(), message: z.string().optional() }) });

/** The real client: Resource Manager through @azure/arm-resources, plus the two reads it has no call for. */
export function createArmClient(init: ArmClientInit): ArmClient {
  const credential = init.credential ?? new DefaultAzureCredential();
  const endpoint = (init.endpoint ?? 'https://management.azure.com').replace(/\/+$/, '');
  const resources = new ResourceManagementClient(credential, init.subscriptionId, { endpoint });

  async function send(url: string, method: 'GET' | 'POST', scope: string): Promise<{ status: number; body: unknown }> {
    const token = await credential.getToken(scope);
    if (!token) throw new AppError({ code: 'unauthenticated', detail: `no access token for ${scope}: sign in (az login, azd auth login)` });
    const response = await fetch(url, { method, headers: { authorization: `Bearer ${token.token}`, accept: 'application/json' } });
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  }

  function failure(what: string, status: number, body: unknown): AppError {
    const error = azureErrorSchema.safeParse(body);
    const reason = error.success ? `${error.data.error.code ?? ''}: ${error.data.error.message ?? ''}` : `HTTP ${status}`;
    return new AppError({
      code: status === 401 || status === 403 ? 'forbidden' : 'upstream_bad_response',
      detail: `${what} answered ${status} (${reason})`,
    });
  }

  return {
    resourceGroups: resources.resourceGroups,
    deployments: resources.deployments,
    deploymentOperations: resources.deploymentOperations,
    resources: resources.resources,
    webApps: {
      async listApplicationSettings(resourceGroupName, name) {
        const url =
          `${endpoint}/subscriptions/${encodeURIComponent(init.subscriptionId)}/resourceGroups/${encodeURIComponent(resourceGroupName)}` +
          `/providers/Microsoft.Web/sites/${encodeURIComponent(name)}/config/appsettings/list?api-version=${WEB_API_VERSION}`;
        const { status, body } = await send(url, 'POST', `${endpoint}/.default`);
        if (status !== 200) throw failure(`the app settings of ${name}`, status, body);
        const parsed = appSettingsSchema.safeParse(body);
        if (!parsed.success)
          throw new AppError({ code: 'upstream_bad_response', detail: `the app settings of ${name} are not name → text` });
        return parsed.data.properties === undefined ? {} : { properties: parsed.data.properties };
      },
    },
    keyVaultSecrets: {
      async getSecretValue(secretUrl) {
        const url = new URL(secretUrl);
        url.searchParams.set('api-version', KEY_VAULT_API_VERSION);
        const { status, body } = await send(url.toString(), 'GET', keyVaultScope(url.hostname));
        if (status === 404) return undefined;
        if (status !== 200) throw failure(`Key Vault secret ${secretUrl}`, status, body);
        const parsed = secretSchema.safeParse(body);
        if (!parsed.success) throw new AppError({ code: 'upstream_bad_response', detail: `Key Vault secret ${secretUrl} has no value` });
        return parsed.data.value;
      },
    },
  };
}

/** `kv-x.vault.azure.net` → `https://vault.azure.net/.default` (and the same in the other clouds). */
function keyVaultScope(hostname: string): string {
  const match = /^[^.]+\.(vault\..+)$/.exec(hostname);
  return `https://${match?.[1] ?? 'vault.azure.net'}/.default`;
}
