import { AppError } from '../../../../shared/platform/errors/AppError';
import { armTemplateSchema } from '../../../../infra/deploy/armTemplateSchema';
import { resolveDeploymentParameters } from '../../../../infra/deploy/resolveDeploymentParameters';

const template = armTemplateSchema.parse({
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  parameters: {
    environmentName: { type: 'string' },
    location: { type: 'string', defaultValue: '[resourceGroup().location]' },
    graphClientId: { type: 'string' },
    graphClientSecret: { type: 'securestring' },
    apiAudience: { type: 'string', defaultValue: '' },
    instanceMemoryMB: { type: 'int', defaultValue: 2048 },
    vault: { type: 'securestring' },
  },
  resources: [],
});

const file = {
  parameters: {
    environmentName: { value: '${AZURE_ENV_NAME}' },
    graphClientId: { value: '${GRAPH_CLIENT_ID}' },
    graphClientSecret: { value: '${GRAPH_CLIENT_SECRET}' },
    apiAudience: { value: '${API_AUDIENCE}' },
    instanceMemoryMB: { value: '${MEMORY}' },
    vault: { reference: { keyVault: { id: '/subscriptions/x/resourceGroups/y/providers/Microsoft.KeyVault/vaults/z' }, secretName: 's' } },
  },
};

function resolve(env: Record<string, string>, overrides: Record<string, string | undefined> = {}) {
  return resolveDeploymentParameters({ template, parametersFile: file, env, overrides, fallbacks: { environmentName: 'rg-fallback' } });
}

describe('resolveDeploymentParameters', () => {
  it('fills ${NAME} from the environment, converts to the template type and keeps Key Vault references', () => {
    expect(
      resolve(
        { GRAPH_CLIENT_ID: 'client', GRAPH_CLIENT_SECRET: 's3cret', MEMORY: '4096', AZURE_ENV_NAME: 'prod' },
        { location: 'westeurope' },
      ),
    ).toEqual({
      environmentName: { value: 'prod' },
      location: { value: 'westeurope' },
      graphClientId: { value: 'client' },
      graphClientSecret: { value: 's3cret' },
      instanceMemoryMB: { value: 4096 },
      vault: file.parameters.vault,
    });
  });

  it('leaves unset optional values to the template defaults and uses the fallbacks', () => {
    const resolved = resolve({ GRAPH_CLIENT_ID: 'client', GRAPH_CLIENT_SECRET: 's' });
    expect(resolved).not.toHaveProperty('apiAudience');
    expect(resolved).not.toHaveProperty('instanceMemoryMB');
    expect(resolved.environmentName).toEqual({ value: 'rg-fallback' });
  });

  it('names every required parameter still missing and the variable that fills it', () => {
    let error: unknown;
    try {
      resolve({});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).detail).toBe(
      'Deployment parameters:\n  - graphClientId: required: set GRAPH_CLIENT_ID\n  - graphClientSecret: required: set GRAPH_CLIENT_SECRET',
    );
  });

  it('refuses a parameter the template does not have', () => {
    expect(() =>
      resolveDeploymentParameters({
        template,
        parametersFile: { parameters: { typo: { value: 1 } } },
        env: {},
        overrides: {},
        fallbacks: { environmentName: 'x', graphClientId: 'x', graphClientSecret: 'x', vault: 'x' },
      }),
    ).toThrow('typo: not a parameter of main.bicep');
  });
});
