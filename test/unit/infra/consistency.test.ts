import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { settingsSchema } from '../../../shared/platform/config/settingsSchema';
import { armTemplateSchema } from '../../../infra/deploy/armTemplateSchema';
import { resolveDeploymentParameters } from '../../../infra/deploy/resolveDeploymentParameters';
import { evaluate, resourcesOf, rootScope } from './support/armTemplate';
import { loadBuiltTemplate, nodeMajorFromPackageJson, repoRoot } from './support/builtTemplate';
import { checkInfraConsistency, checkParametersFile, expectationsFromCode, requiredSettingsOf } from './support/checkInfraConsistency';

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

function appSettings(template: Json): Record<string, unknown> {
  return resourceOfType(moduleTemplate(template, 'functionApp'), 'Microsoft.Web/sites/config').properties as Record<string, unknown>;
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
    ]);
  });

  it('the template drops a required setting', () => {
    const template = copy();
    delete appSettings(template).GRAPH_CLIENT_ID;
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
    appSettings(template).DATA_ENCRYPTION_KEY = "[parameters('dataEncryptionKeyUri')]";
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
    appSettings(template).FUNCTIONS_WORKER_RUNTIME = 'node';
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

  it('the parameters file holds a secret value', () => {
    const file = { parameters: { graphClientSecret: { value: 'a-real-secret' } } };
    expect(checkParametersFile(file, built)).toEqual([
      'parameters file: graphClientSecret is secure: its value must be ${VARIABLE} or a Key Vault reference',
    ]);
  });
});
