/**
 * The few Azure calls the deploy CLI makes, so tests pass a fake that records them. The
 * resource group, deployment and resource operations are a subset of
 * `ResourceManagementClient` from `@azure/arm-resources` (6.x), passed through as is;
 * `webApps` and `keyVaultSecrets` are the two reads that package has no call for
 * (createArmClient.ts makes them with the same credential).
 */
export interface ArmClient {
  resourceGroups: {
    checkExistence(resourceGroupName: string): Promise<{ body: boolean }>;
    createOrUpdate(resourceGroupName: string, parameters: { location: string; tags?: Record<string, string> }): Promise<unknown>;
  };
  deployments: {
    beginCreateOrUpdate(
      resourceGroupName: string,
      deploymentName: string,
      parameters: DeploymentRequest,
    ): Promise<PollerLike<DeploymentResult>>;
    beginWhatIf(resourceGroupName: string, deploymentName: string, parameters: WhatIfRequest): Promise<PollerLike<WhatIfResult>>;
  };
  deploymentOperations: {
    list(resourceGroupName: string, deploymentName: string): AsyncIterable<DeploymentOperationView>;
  };
  resources: {
    listByResourceGroup(resourceGroupName: string, options?: { filter?: string }): AsyncIterable<GenericResourceView>;
  };
  webApps: {
    /** The app settings as stored, Key Vault references unresolved (`POST …/config/appsettings/list`). */
    listApplicationSettings(resourceGroupName: string, name: string): Promise<{ properties?: Record<string, string> }>;
  };
  keyVaultSecrets: {
    /** The current value of a secret (Key Vault data plane); undefined when there is no such secret. */
    getSecretValue(secretUrl: string): Promise<string | undefined>;
  };
}

export interface GenericResourceView {
  id?: string;
  name?: string;
  type?: string;
  tags?: Record<string, string>;
}

export interface PollerLike<T> {
  pollUntilDone(): Promise<T>;
}

/** A Key Vault secret the deployment reads itself, so the value never passes through here. */
export interface KeyVaultParameterReference {
  keyVault: { id: string };
  secretName: string;
  secretVersion?: string;
}

export type ArmParameters = Record<string, { value: unknown } | { reference: KeyVaultParameterReference }>;

export interface DeploymentRequest {
  properties: {
    mode: 'Incremental';
    template: Record<string, unknown>;
    parameters: ArmParameters;
  };
  tags?: Record<string, string>;
}

export interface WhatIfRequest {
  properties: DeploymentRequest['properties'] & {
    whatIfSettings?: { resultFormat?: 'ResourceIdOnly' | 'FullResourcePayloads' };
  };
}

export interface ArmErrorView {
  code?: string;
  message?: string;
  details?: ArmErrorView[];
}

export interface DeploymentResult {
  name?: string;
  properties?: {
    provisioningState?: string;
    outputs?: unknown;
    error?: ArmErrorView;
  };
}

export interface DeploymentOperationView {
  operationId?: string;
  properties?: {
    provisioningState?: string;
    duration?: string;
    targetResource?: { id?: string; resourceType?: string; resourceName?: string };
    statusMessage?: { status?: string; error?: ArmErrorView };
  };
}

export interface WhatIfChangeView {
  resourceId?: string;
  symbolicName?: string;
  changeType: string;
  delta?: { path: string; propertyChangeType: string }[];
}

export interface WhatIfResult {
  status?: string;
  error?: ArmErrorView;
  changes?: WhatIfChangeView[];
}
