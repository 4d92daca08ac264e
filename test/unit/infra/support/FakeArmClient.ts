import type {
  ArmClient,
  DeploymentOperationView,
  DeploymentRequest,
  DeploymentResult,
  GenericResourceView,
  PollerLike,
  WhatIfRequest,
  WhatIfResult,
} from '../../../../infra/deploy/ArmClient';

export interface FakeArmClientInit {
  resourceGroupExists: boolean;
  /** Per deployment name, what each successive list() answers (the last one repeats). */
  operations?: Record<string, DeploymentOperationView[][]>;
  /** The deployment settles once its operations were listed this many times. */
  settleAfterLists?: number;
  result?: DeploymentResult | Error;
  whatIf?: WhatIfResult;
  /** The resources in the group (function apps with their tags). */
  resources?: GenericResourceView[];
  /** App settings by function app name, as stored. */
  appSettings?: Record<string, Record<string, string>>;
  /** Key Vault secret values by URL; an Error is thrown as the read's failure. */
  secrets?: Record<string, string | Error>;
}

/** Records every call the deploy CLI makes to Resource Manager and answers from a script. */
export class FakeArmClient implements ArmClient {
  readonly calls: { method: string; args: unknown[] }[] = [];
  private readonly init: FakeArmClientInit;
  private readonly listCounts = new Map<string, number>();
  private settle: (() => void) | undefined;

  constructor(init: FakeArmClientInit) {
    this.init = init;
  }

  readonly resourceGroups = {
    checkExistence: async (name: string) => {
      this.calls.push({ method: 'resourceGroups.checkExistence', args: [name] });
      return { body: this.init.resourceGroupExists };
    },
    createOrUpdate: async (name: string, parameters: { location: string; tags?: Record<string, string> }) => {
      this.calls.push({ method: 'resourceGroups.createOrUpdate', args: [name, parameters] });
      return {};
    },
  };

  readonly deployments = {
    beginCreateOrUpdate: async (
      resourceGroup: string,
      name: string,
      parameters: DeploymentRequest,
    ): Promise<PollerLike<DeploymentResult>> => {
      this.calls.push({ method: 'deployments.beginCreateOrUpdate', args: [resourceGroup, name, parameters] });
      const settled = new Promise<void>((resolve) => {
        this.settle = resolve;
      });
      if ((this.init.settleAfterLists ?? 0) === 0) this.settle?.();
      return {
        pollUntilDone: async () => {
          await settled;
          const result = this.init.result ?? { properties: { provisioningState: 'Succeeded' } };
          if (result instanceof Error) throw result;
          return result;
        },
      };
    },
    beginWhatIf: async (resourceGroup: string, name: string, parameters: WhatIfRequest): Promise<PollerLike<WhatIfResult>> => {
      this.calls.push({ method: 'deployments.beginWhatIf', args: [resourceGroup, name, parameters] });
      return { pollUntilDone: async () => this.init.whatIf ?? {} };
    },
  };

  readonly deploymentOperations = {
    list: (resourceGroup: string, name: string): AsyncIterable<DeploymentOperationView> => {
      const count = (this.listCounts.get(name) ?? 0) + 1;
      this.listCounts.set(name, count);
      const snapshots = this.init.operations?.[name] ?? [];
      const snapshot = snapshots[Math.min(count, snapshots.length) - 1] ?? [];
      if (count >= (this.init.settleAfterLists ?? 0)) this.settle?.();
      return (async function* () {
        for (const operation of snapshot) yield operation;
      })();
    },
  };

  readonly resources = {
    listByResourceGroup: (resourceGroup: string, options?: { filter?: string }): AsyncIterable<GenericResourceView> => {
      this.calls.push({ method: 'resources.listByResourceGroup', args: [resourceGroup, options] });
      const type = /resourceType eq '([^']+)'/.exec(options?.filter ?? '')?.[1];
      const listed = (this.init.resources ?? []).filter((r) => type === undefined || r.type?.toLowerCase() === type.toLowerCase());
      return (async function* () {
        for (const resource of listed) yield resource;
      })();
    },
  };

  readonly webApps = {
    listApplicationSettings: async (resourceGroup: string, name: string) => {
      this.calls.push({ method: 'webApps.listApplicationSettings', args: [resourceGroup, name] });
      const properties = this.init.appSettings?.[name];
      return properties ? { properties } : {};
    },
  };

  readonly keyVaultSecrets = {
    getSecretValue: async (secretUrl: string) => {
      this.calls.push({ method: 'keyVaultSecrets.getSecretValue', args: [secretUrl] });
      const value = this.init.secrets?.[secretUrl];
      if (value instanceof Error) throw value;
      return value;
    },
  };

  methods(): string[] {
    return this.calls.map((call) => call.method);
  }
}

export function operation(
  id: string,
  type: string,
  name: string,
  state: string,
  extra: Partial<NonNullable<DeploymentOperationView['properties']>> = {},
): DeploymentOperationView {
  return {
    operationId: id,
    properties: { provisioningState: state, targetResource: { resourceType: type, resourceName: name }, ...extra },
  };
}
