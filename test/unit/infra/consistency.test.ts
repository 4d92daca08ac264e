import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { settingsSchema } from '../../../shared/platform/config/settingsSchema';
import { armTemplateSchema } from '../../../infra/deploy/armTemplateSchema';
import { resolveDeploymentParameters } from '../../../infra/deploy/resolveDeploymentParameters';
import { evaluate, expandResources, expandTemplates, resourcesOf, rootScope, type Value } from './support/armTemplate';
import { loadBuiltTemplate, nodeMajorFromPackageJson, repoRoot } from './support/builtTemplate';
import {
  appSettingsOf,
  checkInfraConsistency,
  checkParametersFile,
  checkParametersFileSettings,
  expectationsFromCode,
  requiredSettingsOf,
} from './support/checkInfraConsistency';

type Json = Record<string, unknown>;

let built: Json;
let nodeMajor: string;

beforeAll(() => {
  built = loadBuiltTemplate();
  nodeMajor = nodeMajorFromPackageJson();
}, 20 * 60_000);

const copy = (): Json => structuredClone(built);

function moduleTemplate(template: Json, name: string): Json {
  const module = resourcesOf(template).find((r) => r.type === 'Microsoft.Resources/deployments' && r.name === name);
  if (!module) throw new Error(`no module ${name}`);
  return (module.properties as { template: Json }).template;
}

function moduleParameters(template: Json, name: string): Record<string, { value: unknown }> {
  const module = resourcesOf(template).find((r) => r.type === 'Microsoft.Resources/deployments' && r.name === name);
  return (module!.properties as { parameters: Record<string, { value: unknown }> }).parameters;
}

function resourceOfType(template: Json, type: string): Json {
  const resource = resourcesOf(template).find((r) => r.type === type);
  if (!resource) throw new Error(`no ${type}`);
  return resource;
}

/** Overrides one app setting with an ARM expression, whatever form the template's set has. */
function withAppSetting(template: Json, name: string, expression: string): void {
  const config = resourceOfType(moduleTemplate(template, 'functionApp'), 'Microsoft.Web/sites/config');
  const current = config.properties;
  if (typeof current !== 'string' || !current.startsWith('[')) throw new Error('expected the app settings as one expression');
  config.properties = `[union(${current.slice(1, -1)}, createObject('${name}', ${expression}))]`;
}

describe('infra/main.bicep and the code', () => {
  it('agree: queues, tables, required settings, hardening, identity, roles, secrets, outputs', () => {
    expect(checkInfraConsistency(built, expectationsFromCode(settingsSchema, [], nodeMajor))).toEqual([]);
  });

  it('keep secrets out of the parameters file', () => {
    const file: unknown = JSON.parse(readFileSync(path.join(repoRoot, 'infra', 'main.parameters.json'), 'utf8'));
    expect(checkParametersFile(file, built)).toEqual([]);
  });

  it('main.parameters.json resolves against the template with the documented environment variables', () => {
    const parametersFile: unknown = JSON.parse(readFileSync(path.join(repoRoot, 'infra', 'main.parameters.json'), 'utf8'));
    const resolve = (env: Record<string, string>) =>
      resolveDeploymentParameters({
        template: armTemplateSchema.parse(built),
        parametersFile,
        env,
        overrides: { location: 'westeurope' },
        fallbacks: { environmentName: 'rg-jira' },
      });
    const parameters = resolve({ GRAPH_CLIENT_ID: 'app', GRAPH_CLIENT_SECRET: 'secret', DATA_ENCRYPTION_KEY: 'k1:key' });
    expect(parameters).toMatchObject({
      environmentName: { value: 'rg-jira' },
      graphClientId: { value: 'app' },
      instanceMemoryMB: { value: 2048 },
    });
    expect(parameters).not.toHaveProperty('apiAudience');
    expect(() => resolve({})).toThrow('graphClientId: required: set GRAPH_CLIENT_ID');
  });

  it('main.parameters.json takes every setting from the environment variable of its own name', () => {
    const parametersFile: unknown = JSON.parse(readFileSync(path.join(repoRoot, 'infra', 'main.parameters.json'), 'utf8'));
    expect(checkParametersFileSettings(parametersFile, built, expectationsFromCode(settingsSchema, [], nodeMajor))).toEqual([]);
  });

  it('write the data key and the Graph private keys only when given, so a redeployment without them keeps the stored ones', () => {
    const secrets = (given: Record<string, Value>) =>
      expandResources(built, given)
        .filter((r) => r.type === 'Microsoft.KeyVault/vaults/secrets' && !r.existing && r.condition !== false)
        .map((r) => r.name.split('/').pop())
        .sort();
    expect(secrets({})).toEqual(['graph-client-secret']);
    expect(secrets({ dataEncryptionKey: 'k1:…', graphEncryptionPrivateKeys: 'cert-1:…' })).toEqual([
      'data-encryption-key',
      'graph-client-secret',
      'graph-encryption-private-keys',
    ]);
    // The app still reads the stored key when this deployment does not write it: the URI
    // comes from the vault and the name, not from the secret resource it may skip.
    const keyVault = expandTemplates(built).find((t) => t.modules.join('/') === 'keyVault')!;
    const outputs = keyVault.template.outputs as Record<string, { value: unknown }>;
    expect(evaluate(outputs.dataEncryptionKeyUri!.value, keyVault.scope)).toBe('⁇secrets/data-encryption-key');
    expect(evaluate(outputs.graphEncryptionPrivateKeysUri!.value, keyVault.scope)).toBe('⁇secrets/graph-encryption-private-keys');
  });

  it('default AUTH_ALLOWED_TENANTS to the tenant deployed to; * only when asked for', () => {
    const definition = (built.parameters as Record<string, { defaultValue?: unknown }>).authAllowedTenants;
    expect(definition?.defaultValue).toBe('[subscription().tenantId]');
    expect(appSettingsOf(expandResources(built, { authAllowedTenants: '*' }))).toMatchObject({ AUTH_ALLOWED_TENANTS: '*' });
  });

  it('write one body limit for the proxy and the host, and leave empty optional settings to the app defaults', () => {
    const settings = appSettingsOf(expandResources(built, {}));
    expect(settings).toMatchObject({ PROXY_MAX_BODY_BYTES: '104857600', FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '104857600' });
    expect(settings).not.toHaveProperty('LOG_LEVEL');
    expect(settings).not.toHaveProperty('AzureFunctionsJobHost__logging__logLevel__Function');
    expect(appSettingsOf(expandResources(built, { proxyMaxBodyBytes: 52428800, logLevel: 'debug' }))).toMatchObject({
      PROXY_MAX_BODY_BYTES: '52428800',
      FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '52428800',
      LOG_LEVEL: 'debug',
      // In Azure the host filters the app's log lines: LOG_LEVEL reaches it as its own override of host.json.
      AzureFunctionsJobHost__logging__logLevel__Function: 'Debug',
    });
    expect(appSettingsOf(expandResources(built, { logLevel: 'warn' }))).toMatchObject({
      AzureFunctionsJobHost__logging__logLevel__Function: 'Warning',
    });
  });

  it('print webhook URLs on a custom domain without a doubled slash', () => {
    const outputs = built.outputs as Record<string, { value: unknown }>;
    const scope = rootScope(built, { publicBaseUrl: 'https://jira-mail.example.com/' });
    expect(evaluate(outputs.graphNotificationUrl!.value, scope)).toBe('https://jira-mail.example.com/api/graph/notifications');
    expect(evaluate(outputs.jiraOAuthCallbackUrl!.value, scope)).toBe('https://jira-mail.example.com/api/jira/oauth/callback');
  });

  it('derive the required settings from the schema itself', () => {
    expect(requiredSettingsOf(settingsSchema)).toEqual(
      expect.arrayContaining(['DATA_ENCRYPTION_KEY', 'GRAPH_CLIENT_ID', 'GRAPH_CLIENT_SECRET', 'PUBLIC_BASE_URL']),
    );
    expect(requiredSettingsOf(settingsSchema)).not.toContain('LOG_LEVEL');
  });
});

describe('the consistency check fails when', () => {
  const expected = () => expectationsFromCode(settingsSchema, [], nodeMajor);

  it('a queue the code uses is missing from the template', () => {
    const template = copy();
    (template.variables as { queueNames: string[] }).queueNames = (template.variables as { queueNames: string[] }).queueNames.filter(
      (q) => q !== 'graph-lifecycle-poison',
    );
    expect(checkInfraConsistency(template, expected())).toEqual([
      'queue graph-lifecycle-poison is used by the code but not created by the template',
    ]);
  });

  it('a table the code uses is missing from the template', () => {
    const template = copy();
    const variables = template.variables as { tableNames: string[] };
    variables.tableNames = variables.tableNames.filter((t) => t !== 'licenses');
    expect(checkInfraConsistency(template, expected())).toEqual(['table licenses is used by the code but not created by the template']);
  });

  it('the config schema requires a setting the template does not set', () => {
    const schema = settingsSchema.extend({ NEW_REQUIRED_SETTING: z.string() });
    expect(checkInfraConsistency(built, expectationsFromCode(schema, ['NEW_REQUIRED_SETTING'], nodeMajor))).toEqual([
      'app setting NEW_REQUIRED_SETTING is required by the config schema but not set by the template',
      'app setting NEW_REQUIRED_SETTING of the config schema is not written by the template: the next deployment would wipe it',
      'app setting NEW_REQUIRED_SETTING of the config schema has no parameter newRequiredSetting in main.bicep',
    ]);
  });

  it('a schema setting has no parameter and is not written, so a redeployment would wipe it', () => {
    const schema = settingsSchema.extend({ NEW_OPTIONAL_SETTING: z.string().optional() });
    expect(checkInfraConsistency(built, expectationsFromCode(schema, ['NEW_OPTIONAL_SETTING'], nodeMajor))).toEqual([
      'app setting NEW_OPTIONAL_SETTING of the config schema is not written by the template: the next deployment would wipe it',
      'app setting NEW_OPTIONAL_SETTING of the config schema has no parameter newOptionalSetting in main.bicep',
    ]);
  });

  it('the template drops a required setting', () => {
    const template = copy();
    withAppSetting(template, 'GRAPH_CLIENT_ID', "''");
    expect(checkInfraConsistency(template, expected())).toEqual([
      'app setting GRAPH_CLIENT_ID is required by the config schema but not set by the template',
    ]);
  });

  it('the storage account accepts shared keys', () => {
    const template = copy();
    (resourceOfType(moduleTemplate(template, 'storage'), 'Microsoft.Storage/storageAccounts').properties as Json).allowSharedKeyAccess =
      true;
    expect(checkInfraConsistency(template, expected())).toEqual([expect.stringContaining('allowSharedKeyAccess must be false, is true')]);
  });

  it('a secret setting is not a Key Vault reference', () => {
    const template = copy();
    withAppSetting(template, 'DATA_ENCRYPTION_KEY', "parameters('dataEncryptionKeyUri')");
    expect(checkInfraConsistency(template, expected())).toEqual([
      expect.stringContaining('app setting DATA_ENCRYPTION_KEY holds a secret'),
    ]);
  });

  it('a secure parameter flows anywhere but a Key Vault secret', () => {
    const template = copy();
    moduleParameters(template, 'functionApp').graphClientId = { value: "[parameters('graphClientSecret')]" };
    (template.outputs as Json).leak = { type: 'string', value: "[parameters('dataEncryptionKey')]" };
    expect(checkInfraConsistency(template, expected())).toEqual([
      'main.bicep: secure parameter dataEncryptionKey reaches an output at outputs.leak.value',
      'main.bicep: secure parameter graphClientSecret reaches a Microsoft.Resources/deployments resource at properties.parameters.graphClientId.value',
    ]);
  });

  it('a setting Flex Consumption rejects is set', () => {
    const template = copy();
    withAppSetting(template, 'FUNCTIONS_WORKER_RUNTIME', "'node'");
    expect(checkInfraConsistency(template, expected())).toEqual([
      'app setting FUNCTIONS_WORKER_RUNTIME must not be set on the Flex Consumption plan',
    ]);
  });

  it('a role broader than needed is assigned', () => {
    const template = copy();
    const roles = moduleTemplate(template, 'roleAssignments').variables as { roles: Record<string, string> };
    roles.roles.storageTableDataContributor = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
    expect(checkInfraConsistency(template, expected())).toEqual([
      'role Contributor is not least privilege',
      'role storageTableDataContributor (0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3) is not assigned',
    ]);
  });

  it('the HTTP group has no always-ready instance by default', () => {
    const template = copy();
    (template.parameters as Record<string, { defaultValue?: unknown }>).alwaysReadyHttpInstances!.defaultValue = 0;
    expect(checkInfraConsistency(template, expected())).toEqual([
      expect.stringContaining('the HTTP group needs an always-ready instance by default'),
    ]);
  });

  it('AUTH_ALLOWED_TENANTS defaults to empty, which allows any tenant', () => {
    const template = copy();
    (template.parameters as Record<string, { defaultValue?: unknown }>).authAllowedTenants!.defaultValue = '';
    expect(checkInfraConsistency(template, expected())).toEqual([
      'app setting AUTH_ALLOWED_TENANTS must not be empty by default: empty allows any tenant (* asks for that explicitly)',
    ]);
  });

  it('the host body limit is not the proxy limit', () => {
    const template = copy();
    withAppSetting(template, 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT', "'209715200'");
    expect(checkInfraConsistency(template, expected())).toEqual([
      'app settings PROXY_MAX_BODY_BYTES (104857600) and FUNCTIONS_REQUEST_BODY_SIZE_LIMIT (209715200) must be one figure',
    ]);
  });

  it('the template offers a Node.js version package.json does not allow', () => {
    const template = copy();
    const definition = (template.parameters as Record<string, { allowedValues?: unknown[] }>).nodeVersion!;
    definition.allowedValues = ['18', ...(definition.allowedValues ?? [])];
    expect(checkInfraConsistency(template, expected())).toEqual([
      `nodeVersion allows 18, package.json engines ask for ${nodeMajor} or later`,
    ]);
  });

  it('a setting cannot be given by its own environment variable', () => {
    const parametersFile = JSON.parse(readFileSync(path.join(repoRoot, 'infra', 'main.parameters.json'), 'utf8')) as {
      parameters: Record<string, unknown>;
    };
    delete parametersFile.parameters.logLevel;
    expect(checkParametersFileSettings(parametersFile, built, expected())).toEqual([
      'parameters file: logLevel must read ${LOG_LEVEL}, so the setting can be given by its own name',
    ]);
  });

  it('the parameters file holds a secret value', () => {
    const file = { parameters: { graphClientSecret: { value: 'a-real-secret' } } };
    expect(checkParametersFile(file, built)).toEqual([
      'parameters file: graphClientSecret is secure: its value must be ${VARIABLE} or a Key Vault reference',
    ]);
  });
});
