import type { ArmClient, ArmErrorView, DeploymentOperationView } from './ArmClient';

export interface DeploymentProgressInit {
  client: Pick<ArmClient, 'deploymentOperations'>;
  resourceGroup: string;
  deploymentName: string;
  print: (line: string) => void;
}

const NESTED_DEPLOYMENT = 'microsoft.resources/deployments';

/**
 * Prints one line each time a resource of the deployment changes state, following the
 * module (nested) deployments too, so that progress is per resource, not per module.
 */
export class DeploymentProgress {
  private readonly init: DeploymentProgressInit;
  private readonly printed = new Map<string, string>();

  constructor(init: DeploymentProgressInit) {
    this.init = init;
  }

  /** Lists the operations once and prints what changed since the last call. */
  async report(): Promise<void> {
    await this.reportDeployment(this.init.deploymentName, 0);
  }

  private async reportDeployment(deploymentName: string, depth: number): Promise<void> {
    const nested: string[] = [];
    let operations: AsyncIterable<DeploymentOperationView>;
    try {
      operations = this.init.client.deploymentOperations.list(this.init.resourceGroup, deploymentName);
      for await (const operation of operations) {
        const target = operation.properties?.targetResource;
        const state = operation.properties?.provisioningState;
        if (!target?.resourceType || !state) continue;
        const key = `${deploymentName}/${operation.operationId ?? target.id ?? target.resourceName ?? ''}`;
        if (this.printed.get(key) !== state) {
          this.printed.set(key, state);
          this.init.print(describeOperation(operation, depth));
        }
        if (target.resourceType.toLowerCase() === NESTED_DEPLOYMENT && target.resourceName) nested.push(target.resourceName);
      }
    } catch {
      // A deployment ARM has not registered yet answers 404; the next round sees it.
      return;
    }
    for (const name of nested) await this.reportDeployment(name, depth + 1);
  }
}

function describeOperation(operation: DeploymentOperationView, depth: number): string {
  const properties = operation.properties ?? {};
  const target = properties.targetResource ?? {};
  const state = (properties.provisioningState ?? '').padEnd(9);
  const duration = properties.duration && state.trim() !== 'Running' ? ` (${formatDuration(properties.duration)})` : '';
  const error = properties.statusMessage?.error ? `: ${formatError(properties.statusMessage.error)}` : '';
  return `${'  '.repeat(depth + 1)}${state} ${target.resourceType ?? ''} ${target.resourceName ?? ''}${duration}${error}`;
}

function formatDuration(iso: string): string {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(iso);
  if (!match) return iso;
  const seconds = Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${Math.round(seconds % 60)}s` : `${Math.round(seconds)}s`;
}

/** The innermost messages say what went wrong; ARM wraps them in generic ones. */
export function formatError(error: ArmErrorView): string {
  const inner = (error.details ?? []).map(formatError).filter(Boolean);
  if (inner.length > 0) return inner.join('; ');
  return [error.code, error.message].filter(Boolean).join(': ');
}
