import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { listen } from '../../../../dev/listen';
import { createArmClient } from '../../../../infra/deploy/createArmClient';
import type { ArmClient } from '../../../../infra/deploy/ArmClient';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  authorization: string | undefined;
}

/** Answers as Resource Manager and Key Vault do for the two reads the CLI makes itself. */
function standIn(seen: Seen[]): Server {
  return createServer((request: IncomingMessage, response) => {
    seen.push({ method: request.method, url: request.url, authorization: request.headers.authorization });
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method === 'POST' && url.pathname.endsWith('/providers/Microsoft.Web/sites/func-abc/config/appsettings/list')) {
      return json(200, {
        id: 'x',
        name: 'appsettings',
        properties: { DATA_ENCRYPTION_KEY: '@Microsoft.KeyVault(SecretUri=https://kv/secrets/dek)' },
      });
    }
    if (request.method === 'POST' && url.pathname.endsWith('/config/appsettings/list')) {
      return json(403, { error: { code: 'AuthorizationFailed', message: 'no action Microsoft.Web/sites/config/list/action' } });
    }
    if (request.method === 'GET' && url.pathname === '/secrets/data-encryption-key') return json(200, { value: 'k1:stored', id: 'x' });
    if (request.method === 'GET' && url.pathname === '/secrets/forbidden') {
      return json(403, { error: { code: 'Forbidden', message: 'Caller is not authorized to perform action on resource' } });
    }
    return json(404, { error: { code: 'SecretNotFound', message: 'not found' } });
  });
}

describe('createArmClient: the reads @azure/arm-resources has no call for', () => {
  const seen: Seen[] = [];
  const scopes: string[] = [];
  const server = standIn(seen);
  let base: string;
  let client: ArmClient;

  beforeAll(async () => {
    base = (await listen(server, '127.0.0.1')).url;
    const credential: TokenCredential = {
      getToken: async (scope: string | string[]): Promise<AccessToken> => {
        scopes.push(String(scope));
        return { token: `token-for-${String(scope)}`, expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    client = createArmClient({ subscriptionId: '00000000-1111-2222-3333-444444444444', credential, endpoint: base });
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    seen.length = 0;
    scopes.length = 0;
  });

  it('lists the app settings with POST …/config/appsettings/list and a Resource Manager token', async () => {
    await expect(client.webApps.listApplicationSettings('rg-jira', 'func-abc')).resolves.toEqual({
      properties: { DATA_ENCRYPTION_KEY: '@Microsoft.KeyVault(SecretUri=https://kv/secrets/dek)' },
    });
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-jira/providers/Microsoft.Web/sites/func-abc/config/appsettings/list?api-version=2025-03-01',
        authorization: `Bearer token-for-${base}/.default`,
      },
    ]);
  });

  it('names the app and Azure’s reason when the settings cannot be listed', async () => {
    await expect(client.webApps.listApplicationSettings('rg-jira', 'func-other')).rejects.toMatchObject({
      code: 'forbidden',
      detail: 'the app settings of func-other answered 403 (AuthorizationFailed: no action Microsoft.Web/sites/config/list/action)',
    });
  });

  it('reads a secret with GET ?api-version=7.5, undefined when it does not exist, forbidden when it may not be read', async () => {
    await expect(client.keyVaultSecrets.getSecretValue(`${base}/secrets/data-encryption-key`)).resolves.toBe('k1:stored');
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/secrets/data-encryption-key?api-version=7.5' });
    // A host that is not a vault's gets the public cloud's Key Vault scope.
    expect(scopes).toEqual(['https://vault.azure.net/.default']);
    await expect(client.keyVaultSecrets.getSecretValue(`${base}/secrets/missing`)).resolves.toBeUndefined();
    await expect(client.keyVaultSecrets.getSecretValue(`${base}/secrets/forbidden`)).rejects.toMatchObject({
      code: 'forbidden',
      detail: `Key Vault secret ${base}/secrets/forbidden answered 403 (Forbidden: Caller is not authorized to perform action on resource)`,
    });
  });
});
