import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { armTemplateSchema } from '../../infra/deploy/armTemplateSchema';
import { resolveDeploymentParameters } from '../../infra/deploy/resolveDeploymentParameters';
import { expandResources, isUnresolved, type Value } from '../unit/infra/support/armTemplate';
import { loadBuiltTemplate, repoRoot } from '../unit/infra/support/builtTemplate';
import { appSettingsOf } from '../unit/infra/support/checkInfraConsistency';

/** What a deployer exports before `npm run deploy` or `azd up` (docs/deployment.md, step 3): the required values only. */
export function sampleDeployerEnv(): Record<string, string> {
  return {
    GRAPH_CLIENT_ID: '6f1c2d3e-4a5b-4c6d-8e7f-901234567890',
    GRAPH_CLIENT_SECRET: 'sample-graph-client-secret',
    DATA_ENCRYPTION_KEY: `k1:${randomBytes(32).toString('base64')}`,
  };
}

// Where the template leaves a value to Azure (a generated name, the site's host name), a stand-in of the same shape.
const AZURE_DECIDES = 'x0azure';

/**
 * The environment the function app's worker gets in Azure, and nothing else: the app settings
 * infra/main.bicep writes (evaluated with infra/main.parameters.json and the deployer's
 * environment, as a deploy does), Key Vault references resolved to the secret the deployer gave
 * (the template stores each under the setting's own name), and what the platform adds from
 * `functionAppConfig.runtime` (FUNCTIONS_WORKER_RUNTIME). Needs the Bicep CLI, like the
 * consistency test.
 */
export function templateAppSettings(deployerEnv: Readonly<Record<string, string>> = sampleDeployerEnv()): Record<string, string> {
  const template = loadBuiltTemplate();
  const parameters = resolveDeploymentParameters({
    template: armTemplateSchema.parse(template),
    parametersFile: JSON.parse(readFileSync(path.join(repoRoot, 'infra', 'main.parameters.json'), 'utf8')) as unknown,
    env: deployerEnv,
    overrides: { location: 'westeurope' },
    fallbacks: { environmentName: 'rg-ship-test' },
  });
  const given: Record<string, Value> = {};
  for (const [name, entry] of Object.entries(parameters)) if ('value' in entry) given[name] = entry.value as Value;

  const resources = expandResources(template, given);
  const settings = appSettingsOf(resources);
  if (typeof settings === 'string') throw new Error(`infra/main.bicep: ${settings}`);

  const env: Record<string, string> = { FUNCTIONS_WORKER_RUNTIME: 'node' };
  for (const [name, value] of Object.entries(settings)) env[name] = asSetting(name, value, deployerEnv);
  // The component's connection string is known only after deployment; Azure gives it this shape
  // (the exporter refuses a value without an instrumentation key).
  if (env.APPLICATIONINSIGHTS_CONNECTION_STRING === AZURE_DECIDES)
    env.APPLICATIONINSIGHTS_CONNECTION_STRING =
      'InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/';
  return env;
}

function asSetting(name: string, value: Value, deployerEnv: Readonly<Record<string, string>>): string {
  if (value === null) return '';
  if (typeof value === 'string') {
    // App Service resolves a reference to the secret; one it cannot resolve stays the literal reference.
    if (/^@Microsoft\.KeyVault\(/.test(value)) return deployerEnv[name] ?? value;
    return value.replaceAll('⁇', AZURE_DECIDES);
  }
  if (isUnresolved(value)) return AZURE_DECIDES;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
