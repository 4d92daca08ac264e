import { AppError } from '../../shared/platform/errors/AppError';
import type { ArmClient, ArmParameters } from './ArmClient';
import type { ArmTemplate } from './armTemplateSchema';
import { findCurrentApp, type CurrentApp } from './currentApp';
import { decideDataEncryptionKey, storedDataKeyOf } from './dataEncryptionKey';
import { DeploymentProgress, formatError } from './DeploymentProgress';
import { parseDeploymentOutputs, type DeploymentOutputs } from './deploymentOutputs';
import { scmUrlOf } from './publishPackage';
import { followDeployment } from './followDeployment';
import { formatNextSteps } from './formatNextSteps';
import { formatWhatIf } from './formatWhatIf';
import type { DeployOptions } from './parseDeployArgs';
import { resolveDeploymentParameters } from './resolveDeploymentParameters';

export interface RunDeployInit {
  options: DeployOptions;
  client: ArmClient;
  /** Builds and lints the Bicep and returns the ARM template. */
  compile: () => Promise<ArmTemplate>;
  /** The parameters file to use, already resolved to a path. */
  parametersFile: string;
  readJson: (file: string) => Promise<unknown>;
  env: Readonly<Record<string, string | undefined>>;
  print: (line: string) => void;
  wait: (ms: number) => Promise<void>;
  now: () => Date;
  pollIntervalMs: number;
  /** Publishes the app package once the infrastructure exists (`publishPackage`); without it the deploy stops at the infrastructure. */
  publish?: (target: PublishTarget) => Promise<void>;
}

export interface PublishTarget {
  functionAppName: string;
  /** The app's SCM site, where one-deploy takes the package. */
  scmUrl: string;
}

/**
 * The deploy command: compile, resolve the parameters, then either a what-if or the
 * deployment with per-resource progress, the app package published to it, and finally the
 * URLs and the next steps.
 * Returns the outputs of a deployment, undefined for a what-if.
 */
export async function runDeploy(init: RunDeployInit): Promise<DeploymentOutputs | undefined> {
  const { options, client, print } = init;
  const template = await init.compile();
  const parameters = resolveDeploymentParameters({
    template,
    parametersFile: await init.readJson(init.parametersFile),
    env: init.env,
    overrides: { location: options.location, environmentName: options.environmentName },
    fallbacks: { environmentName: options.resourceGroup },
  });
  const deploymentName = options.deploymentName ?? `jira-outlook-cloud-${init.now().toISOString().replace(/\D/g, '').slice(0, 14)}`;
  const exists = (await client.resourceGroups.checkExistence(options.resourceGroup)).body;
  const current = exists
    ? await findCurrentApp({
        client,
        resourceGroup: options.resourceGroup,
        functionAppName: textParameter(parameters, 'functionAppName'),
        environmentName: textParameter(parameters, 'environmentName') ?? options.resourceGroup,
      })
    : undefined;
  await keepStoredSecrets(parameters, current, init);
  const properties = { mode: 'Incremental' as const, template, parameters };

  if (options.whatIf) {
    print(`What-if of ${deploymentName} in resource group ${options.resourceGroup} (${options.location}), nothing is changed.`);
    if (!exists) {
      print(
        `The resource group ${options.resourceGroup} does not exist: a deployment would create it and every resource in infra/main.bicep.`,
      );
      return undefined;
    }
    const poller = await client.deployments.beginWhatIf(options.resourceGroup, deploymentName, {
      properties: { ...properties, whatIfSettings: { resultFormat: 'FullResourcePayloads' } },
    });
    const result = await poller.pollUntilDone();
    for (const line of formatWhatIf(result)) print(line);
    if (result.error) throw new AppError({ code: 'deployment_failed', detail: `what-if failed: ${formatError(result.error)}` });
    return undefined;
  }

  if (!exists) {
    print(`Creating resource group ${options.resourceGroup} in ${options.location}.`);
    await client.resourceGroups.createOrUpdate(options.resourceGroup, { location: options.location, tags: environmentTag(parameters) });
  }
  print(`Deploying ${deploymentName} to resource group ${options.resourceGroup} (${options.location}):`);
  const poller = await client.deployments.beginCreateOrUpdate(options.resourceGroup, deploymentName, { properties });
  const progress = new DeploymentProgress({ client, resourceGroup: options.resourceGroup, deploymentName, print });
  let result;
  try {
    result = await followDeployment({ done: poller.pollUntilDone(), progress, wait: init.wait, intervalMs: init.pollIntervalMs });
  } catch (error) {
    throw new AppError({
      code: 'deployment_failed',
      detail: `${deploymentName}: ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    });
  }
  const state = result.properties?.provisioningState;
  if (state !== 'Succeeded') {
    const reason = result.properties?.error ? `: ${formatError(result.properties.error)}` : '';
    throw new AppError({ code: 'deployment_failed', detail: `${deploymentName} ended ${state ?? 'without a state'}${reason}` });
  }
  const outputs = parseDeploymentOutputs(result.properties?.outputs);
  if (init.publish) await init.publish({ functionAppName: outputs.functionAppName, scmUrl: scmUrlOf(outputs.functionAppHostName) });
  for (const line of formatNextSteps(outputs, options.resourceGroup, init.publish !== undefined)) print(line);
  return outputs;
}

/**
 * The template writes a secret only when it is given, so a redeployment keeps what Key
 * Vault holds. The data key is compared with the stored one first: a different key is
 * refused unless --rotate-data-key asks for a rotation.
 */
async function keepStoredSecrets(parameters: ArmParameters, current: CurrentApp | undefined, init: RunDeployInit): Promise<void> {
  const given = parameters.dataEncryptionKey;
  if (given && 'reference' in given && current?.settings.DATA_ENCRYPTION_KEY !== undefined) {
    throw new AppError({
      code: 'bad_request',
      detail:
        'dataEncryptionKey: a Key Vault reference cannot be compared with the stored key; give it in DATA_ENCRYPTION_KEY, or leave it out to keep the stored key',
    });
  }
  if (!given || 'value' in given) {
    const decision = await decideDataEncryptionKey({
      given: textParameter(parameters, 'dataEncryptionKey'),
      rotate: init.options.rotateDataKey,
      stored: storedDataKeyOf(current?.settings.DATA_ENCRYPTION_KEY, (url) => init.client.keyVaultSecrets.getSecretValue(url)),
    });
    if (decision.write === undefined) delete parameters.dataEncryptionKey;
    else parameters.dataEncryptionKey = { value: decision.write };
    init.print(decision.line);
  }
  const richNotifications = textParameter(parameters, 'graphEncryptionCertificate') !== undefined;
  if (richNotifications && !parameters.graphEncryptionPrivateKeys && current?.settings.GRAPH_ENCRYPTION_PRIVATE_KEYS === undefined) {
    throw new AppError({
      code: 'bad_request',
      detail:
        'graphEncryptionPrivateKeys: required with graphEncryptionCertificate until Key Vault holds them: set GRAPH_ENCRYPTION_PRIVATE_KEYS',
    });
  }
}

/** A text parameter's value; undefined when absent or empty. */
function textParameter(parameters: ArmParameters, name: string): string | undefined {
  const entry = parameters[name];
  return entry && 'value' in entry && typeof entry.value === 'string' && entry.value !== '' ? entry.value : undefined;
}

function environmentTag(parameters: ArmParameters): Record<string, string> {
  const entry = parameters.environmentName;
  return entry && 'value' in entry && typeof entry.value === 'string' ? { 'azd-env-name': entry.value } : {};
}
