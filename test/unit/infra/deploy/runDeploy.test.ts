import { AppError } from '../../../../shared/platform/errors/AppError';
import { armTemplateSchema } from '../../../../infra/deploy/armTemplateSchema';
import type { DeploymentRequest, WhatIfRequest } from '../../../../infra/deploy/ArmClient';
import { runDeploy, type RunDeployInit } from '../../../../infra/deploy/runDeploy';
import type { DeployOptions } from '../../../../infra/deploy/parseDeployArgs';
import { FakeArmClient, operation } from '../support/FakeArmClient';

const template = armTemplateSchema.parse({
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  parameters: {
    environmentName: { type: 'string' },
    location: { type: 'string', defaultValue: '[resourceGroup().location]' },
    graphClientId: { type: 'string' },
    graphClientSecret: { type: 'securestring' },
    dataEncryptionKey: { type: 'securestring', defaultValue: '' },
    graphEncryptionCertificate: { type: 'string', defaultValue: '' },
    graphEncryptionPrivateKeys: { type: 'securestring', defaultValue: '' },
    functionAppName: { type: 'string', defaultValue: '' },
  },
  resources: [],
});

const parametersFile = {
  parameters: {
    environmentName: { value: '${AZURE_ENV_NAME}' },
    graphClientId: { value: '${GRAPH_CLIENT_ID}' },
    graphClientSecret: { value: '${GRAPH_CLIENT_SECRET}' },
    dataEncryptionKey: { value: '${DATA_ENCRYPTION_KEY}' },
    graphEncryptionCertificate: { value: '${GRAPH_ENCRYPTION_CERTIFICATE}' },
    graphEncryptionPrivateKeys: { value: '${GRAPH_ENCRYPTION_PRIVATE_KEYS}' },
  },
};

const key1 = Buffer.alloc(32, 1).toString('base64');
const key2 = Buffer.alloc(32, 2).toString('base64');
const env = { GRAPH_CLIENT_ID: 'app-id', GRAPH_CLIENT_SECRET: 'graph-secret', DATA_ENCRYPTION_KEY: `k1:${key1}` };

const base = 'https://func-abc.azurewebsites.net';
const outputs = {
  functionAppName: { type: 'String', value: 'func-abc' },
  functionAppHostName: { type: 'String', value: 'func-abc.azurewebsites.net' },
  functionAppUrl: { type: 'String', value: base },
  graphNotificationUrl: { type: 'String', value: `${base}/api/graph/notifications` },
  graphLifecycleUrl: { type: 'String', value: `${base}/api/graph/lifecycle` },
  jiraOAuthCallbackUrl: { type: 'String', value: `${base}/api/jira/oauth/callback` },
  keyVaultName: { type: 'String', value: 'kv-abc' },
  storageAccountName: { type: 'String', value: 'stabc' },
  applicationInsightsName: { type: 'String', value: 'appi-abc' },
};

const options: DeployOptions = {
  subscription: '00000000-1111-2222-3333-444444444444',
  resourceGroup: 'rg-jira',
  location: 'westeurope',
  whatIf: false,
  rotateDataKey: false,
  parametersFile: undefined,
  environmentName: undefined,
  deploymentName: 'deploy-1',
};

function setup(client: FakeArmClient, overrides: Partial<RunDeployInit> = {}) {
  const lines: string[] = [];
  const init: RunDeployInit = {
    options,
    client,
    compile: async () => template,
    parametersFile: 'infra/main.parameters.json',
    readJson: async () => parametersFile,
    env,
    print: (line) => lines.push(line),
    wait: () => new Promise((resolve) => setImmediate(resolve)),
    now: () => new Date('2026-11-23T10:11:12.345Z'),
    pollIntervalMs: 5000,
    ...overrides,
  };
  return { lines, run: () => runDeploy(init) };
}

describe('runDeploy', () => {
  it('creates the resource group, deploys the compiled template with progress per resource, then prints the URLs and next steps', async () => {
    const client = new FakeArmClient({
      resourceGroupExists: false,
      settleAfterLists: 3,
      operations: {
        'deploy-1': [
          [operation('1', 'Microsoft.Resources/deployments', 'storage', 'Running')],
          [operation('1', 'Microsoft.Resources/deployments', 'storage', 'Running')],
          [operation('1', 'Microsoft.Resources/deployments', 'storage', 'Succeeded', { duration: 'PT1M5.2S' })],
        ],
        storage: [
          [operation('s1', 'Microsoft.Storage/storageAccounts', 'stabc', 'Running')],
          [operation('s1', 'Microsoft.Storage/storageAccounts', 'stabc', 'Succeeded', { duration: 'PT21.9S' })],
        ],
      },
      result: { properties: { provisioningState: 'Succeeded', outputs } },
    });
    const { lines, run } = setup(client);

    const result = await run();

    expect(result?.graphNotificationUrl).toBe(`${base}/api/graph/notifications`);
    expect(client.methods().slice(0, 3)).toEqual([
      'resourceGroups.checkExistence',
      'resourceGroups.createOrUpdate',
      'deployments.beginCreateOrUpdate',
    ]);
    expect(client.calls[1]!.args).toEqual(['rg-jira', { location: 'westeurope', tags: { 'azd-env-name': 'rg-jira' } }]);
    const [resourceGroup, name, request] = client.calls[2]!.args as [string, string, DeploymentRequest];
    expect([resourceGroup, name]).toEqual(['rg-jira', 'deploy-1']);
    expect(request.properties.mode).toBe('Incremental');
    expect(request.properties.template).toBe(template);
    expect(request.properties.parameters).toEqual({
      environmentName: { value: 'rg-jira' },
      location: { value: 'westeurope' },
      graphClientId: { value: 'app-id' },
      graphClientSecret: { value: 'graph-secret' },
      dataEncryptionKey: { value: `k1:${key1}` },
    });
    // Each state change once, nested module resources indented under their module.
    expect(lines.filter((line) => line.startsWith('  '))).toEqual(
      expect.arrayContaining([
        '  Running   Microsoft.Resources/deployments storage',
        '    Running   Microsoft.Storage/storageAccounts stabc',
        '    Succeeded Microsoft.Storage/storageAccounts stabc (22s)',
        '  Succeeded Microsoft.Resources/deployments storage (1m5s)',
      ]),
    );
    expect(lines.filter((line) => line.includes('Running   Microsoft.Resources/deployments storage'))).toHaveLength(1);
    const text = lines.join('\n');
    expect(text).toContain(`Graph notifications   ${base}/api/graph/notifications`);
    expect(text).toContain(`Jira OAuth callback   ${base}/api/jira/oauth/callback`);
    expect(text).toContain('az functionapp deployment source config-zip -g rg-jira -n func-abc');
    expect(text).toContain('Mail.Read');
    expect(text).toContain('Integration.Admin');
    expect(text).toContain('Data encryption key: key k1 written.');
    expect(text).not.toContain('graph-secret');
    expect(text).not.toContain(key1);
  });

  it('publishes the package to the new app once the infrastructure exists, then says it is published', async () => {
    const client = new FakeArmClient({ resourceGroupExists: true, result: { properties: { provisioningState: 'Succeeded', outputs } } });
    const published: unknown[] = [];
    const { lines, run } = setup(client, {
      publish: async (target) => {
        published.push(target);
        lines.push('(published)');
      },
    });
    await run();
    expect(published).toEqual([{ functionAppName: 'func-abc', scmUrl: 'https://func-abc.scm.azurewebsites.net' }]);
    const text = lines.join('\n');
    expect(text.indexOf('(published)')).toBeLessThan(text.indexOf('Deployed.'));
    expect(text).toContain(`1. The code is published. Check it:\n       curl ${base}/api/health`);
    expect(text).not.toContain('config-zip');
  });

  it('--what-if publishes nothing', async () => {
    const client = new FakeArmClient({ resourceGroupExists: false });
    const publish = jest.fn(async () => undefined);
    await setup(client, { options: { ...options, whatIf: true }, publish }).run();
    expect(publish).not.toHaveBeenCalled();
  });

  it('leaves an existing resource group alone and names the deployment after the time', async () => {
    const client = new FakeArmClient({ resourceGroupExists: true, result: { properties: { provisioningState: 'Succeeded', outputs } } });
    const { run } = setup(client, { options: { ...options, deploymentName: undefined, environmentName: 'prod' } });
    await run();
    expect(client.methods()).not.toContain('resourceGroups.createOrUpdate');
    const [, name, request] = client.calls.find((c) => c.method === 'deployments.beginCreateOrUpdate')!.args as [
      string,
      string,
      DeploymentRequest,
    ];
    expect(name).toBe('jira-outlook-cloud-20261123101112');
    expect(request.properties.parameters.environmentName).toEqual({ value: 'prod' });
  });

  it('--what-if asks Resource Manager what would change and deploys nothing', async () => {
    const client = new FakeArmClient({
      resourceGroupExists: true,
      whatIf: {
        status: 'Succeeded',
        changes: [
          {
            resourceId: '/subscriptions/s/resourceGroups/rg-jira/providers/Microsoft.Web/sites/func-abc',
            changeType: 'Modify',
            delta: [{ path: 'properties.httpsOnly', propertyChangeType: 'Modify' }],
          },
          { resourceId: '/subscriptions/s/resourceGroups/rg-jira/providers/Microsoft.KeyVault/vaults/kv-abc', changeType: 'Create' },
        ],
      },
    });
    const { lines, run } = setup(client, { options: { ...options, whatIf: true } });
    expect(await run()).toBeUndefined();
    expect(client.methods()).toEqual(['resourceGroups.checkExistence', 'resources.listByResourceGroup', 'deployments.beginWhatIf']);
    const request = client.calls[2]!.args[2] as WhatIfRequest;
    expect(request.properties.whatIfSettings).toEqual({ resultFormat: 'FullResourcePayloads' });
    expect(lines).toEqual(
      expect.arrayContaining([
        '  + Microsoft.KeyVault/vaults/kv-abc',
        '  ~ Microsoft.Web/sites/func-abc',
        '      ~ properties.httpsOnly',
        'Summary: 1 to create, 1 to modify.',
      ]),
    );
  });

  it('--what-if on a missing resource group says everything would be created, without calling what-if', async () => {
    const client = new FakeArmClient({ resourceGroupExists: false });
    const { lines, run } = setup(client, { options: { ...options, whatIf: true } });
    await run();
    expect(client.methods()).toEqual(['resourceGroups.checkExistence']);
    expect(lines.join('\n')).toContain('does not exist: a deployment would create it');
  });

  it('reports the failing resource with the innermost error and fails with deployment_failed', async () => {
    const client = new FakeArmClient({
      resourceGroupExists: true,
      settleAfterLists: 1,
      operations: {
        'deploy-1': [
          [
            operation('9', 'Microsoft.Web/sites', 'func-abc', 'Failed', {
              statusMessage: {
                status: 'Failed',
                error: {
                  code: 'DeploymentFailed',
                  message: 'At least one resource failed',
                  details: [{ code: 'LocationNotAvailableForResourceType', message: 'Flex Consumption is not offered here' }],
                },
              },
            }),
          ],
        ],
      },
      result: new Error('The deployment failed'),
    });
    const { lines, run } = setup(client);
    await expect(run()).rejects.toMatchObject({ code: 'deployment_failed', detail: 'deploy-1: The deployment failed' });
    expect(lines).toContain(
      '  Failed    Microsoft.Web/sites func-abc: LocationNotAvailableForResourceType: Flex Consumption is not offered here',
    );
  });

  it('fails before any call to Azure when a secret is not in the environment', async () => {
    const client = new FakeArmClient({ resourceGroupExists: true });
    const { run } = setup(client, { env: { GRAPH_CLIENT_ID: 'app-id' } });
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).detail).toBe('Deployment parameters:\n  - graphClientSecret: required: set GRAPH_CLIENT_SECRET');
    expect(client.calls).toEqual([]);
  });

  it('fails when the deployment does not return the outputs the next steps need', async () => {
    const client = new FakeArmClient({
      resourceGroupExists: true,
      result: { properties: { provisioningState: 'Succeeded', outputs: { functionAppName: { value: 'f' } } } },
    });
    const { run } = setup(client);
    const error = await run().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'deployment_failed' });
    expect((error as AppError).detail).toContain('did not return the outputs functionAppHostName');
  });

  describe('redeploying over an app that holds a data key', () => {
    const secretUrl = 'https://kv-abc.vault.azure.net/secrets/data-encryption-key';
    const deployed = (secrets: Record<string, string | Error> = { [secretUrl]: `k1:${key1}` }) =>
      new FakeArmClient({
        resourceGroupExists: true,
        resources: [
          { name: 'func-other', type: 'Microsoft.Web/sites', tags: { 'azd-env-name': 'rg-other', 'azd-service-name': 'api' } },
          { name: 'func-abc', type: 'Microsoft.Web/sites', tags: { 'azd-env-name': 'rg-jira', 'azd-service-name': 'api' } },
        ],
        appSettings: { 'func-abc': { DATA_ENCRYPTION_KEY: `@Microsoft.KeyVault(SecretUri=${secretUrl})`, GRAPH_CLIENT_ID: 'app-id' } },
        secrets,
        result: { properties: { provisioningState: 'Succeeded', outputs } },
      });
    const deployedParameters = (client: FakeArmClient) =>
      (client.calls.find((c) => c.method === 'deployments.beginCreateOrUpdate')?.args[2] as DeploymentRequest | undefined)?.properties
        .parameters;

    it('keeps the stored key when DATA_ENCRYPTION_KEY is not set, without reading it', async () => {
      const client = deployed();
      const { lines, run } = setup(client, { env: { ...env, DATA_ENCRYPTION_KEY: '' } });
      await run();
      expect(client.calls.find((c) => c.method === 'webApps.listApplicationSettings')?.args).toEqual(['rg-jira', 'func-abc']);
      expect(client.methods()).not.toContain('keyVaultSecrets.getSecretValue');
      expect(deployedParameters(client)).not.toHaveProperty('dataEncryptionKey');
      expect(lines).toContain(`Data encryption key: kept (Key Vault secret ${secretUrl}; DATA_ENCRYPTION_KEY not set).`);
    });

    it('leaves the secret unchanged when the same key is given', async () => {
      const client = deployed();
      const { lines, run } = setup(client);
      await run();
      expect(client.calls.find((c) => c.method === 'keyVaultSecrets.getSecretValue')?.args).toEqual([secretUrl]);
      expect(deployedParameters(client)).not.toHaveProperty('dataEncryptionKey');
      expect(lines).toContain(`Data encryption key: unchanged (Key Vault secret ${secretUrl}).`);
    });

    it('refuses a different key without --rotate-data-key, before deploying anything', async () => {
      const client = deployed();
      const { run } = setup(client, { env: { ...env, DATA_ENCRYPTION_KEY: `k2:${key2}` } });
      const error = await run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'data_key_change_refused' });
      const detail = (error as AppError).detail ?? '';
      expect(detail).toContain(
        `DATA_ENCRYPTION_KEY differs from the key the app decrypts with (Key Vault secret ${secretUrl}, key ids k1)`,
      );
      expect(detail).toContain('undecryptable');
      expect(detail).toContain('--rotate-data-key');
      expect(detail).not.toContain(key1);
      expect(detail).not.toContain(key2);
      expect(client.methods()).not.toContain('deployments.beginCreateOrUpdate');
    });

    it('with --rotate-data-key writes the new key first and keeps the stored one for decryption', async () => {
      const client = deployed();
      const { lines, run } = setup(client, {
        options: { ...options, rotateDataKey: true },
        env: { ...env, DATA_ENCRYPTION_KEY: `k2:${key2}` },
      });
      await run();
      expect(deployedParameters(client)?.dataEncryptionKey).toEqual({ value: `k2:${key2},k1:${key1}` });
      expect(lines).toContainEqual(
        expect.stringMatching(
          `^Data encryption key: rotated in Key Vault secret ${secretUrl}: k2 encrypts from now on; k1 stay for decryption\\. Restart the app`,
        ),
      );
      expect(lines.join('\n')).not.toContain(key2);
    });

    it('with --rotate-data-key refuses a key id already in use', async () => {
      const client = deployed();
      const { run } = setup(client, { options: { ...options, rotateDataKey: true }, env: { ...env, DATA_ENCRYPTION_KEY: `k1:${key2}` } });
      await expect(run()).rejects.toMatchObject({
        code: 'data_key_change_refused',
        detail: '--rotate-data-key: the new key needs a key id not in use; k1 is already one of k1',
      });
      expect(client.methods()).not.toContain('deployments.beginCreateOrUpdate');
    });

    it('says what to do when the stored key cannot be read to compare', async () => {
      const client = deployed({
        [secretUrl]: new AppError({ code: 'forbidden', detail: 'Key Vault answered 403 (Forbidden: no access)' }),
      });
      const { run } = setup(client);
      const error = (await run().catch((e: unknown) => e)) as AppError;
      expect(error.code).toBe('forbidden');
      expect(error.detail).toContain('Leave DATA_ENCRYPTION_KEY unset to keep the stored key');
      expect(error.detail).toContain('Key Vault Secrets User');
    });
  });

  it('requires DATA_ENCRYPTION_KEY on the first deployment', async () => {
    const client = new FakeArmClient({ resourceGroupExists: true, resources: [] });
    const { run } = setup(client, { env: { GRAPH_CLIENT_ID: 'app-id', GRAPH_CLIENT_SECRET: 'graph-secret' } });
    await expect(run()).rejects.toMatchObject({
      code: 'bad_request',
      detail: 'dataEncryptionKey: required on the first deployment: set DATA_ENCRYPTION_KEY (docs/deployment.md)',
    });
    expect(client.methods()).not.toContain('deployments.beginCreateOrUpdate');
  });

  it('requires the Graph private keys with a certificate until Key Vault holds them', async () => {
    const client = new FakeArmClient({ resourceGroupExists: false });
    const { run } = setup(client, { env: { ...env, GRAPH_ENCRYPTION_CERTIFICATE: 'MIIB' } });
    await expect(run()).rejects.toMatchObject({
      detail:
        'graphEncryptionPrivateKeys: required with graphEncryptionCertificate until Key Vault holds them: set GRAPH_ENCRYPTION_PRIVATE_KEYS',
    });
  });
});
