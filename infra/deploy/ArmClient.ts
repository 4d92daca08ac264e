/**
 * The few Azure Resource Manager calls the deploy CLI makes, shaped as a subset of
 * `ResourceManagementClient` from `@azure/arm-resources` (6.x), so the real client is
 * passed as is and tests pass a fake that records the calls.
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
