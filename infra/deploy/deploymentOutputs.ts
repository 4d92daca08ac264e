import { z } from 'zod';
import { AppError } from '../../shared/platform/errors/AppError';

// ARM returns each output as { type, value }; the names are those of infra/main.bicep.
const output = z.object({ value: z.string().min(1) }).transform((o) => o.value);

const outputsSchema = z.object({
  functionAppName: output,
  functionAppHostName: output,
  functionAppUrl: output,
  graphNotificationUrl: output,
  graphLifecycleUrl: output,
  jiraOAuthCallbackUrl: output,
  keyVaultName: output,
  storageAccountName: output,
  applicationInsightsName: output,
});

export type DeploymentOutputs = z.output<typeof outputsSchema>;

/** The outputs main.bicep must declare; the consistency test holds the template to them. */
export const deploymentOutputNames = Object.keys(outputsSchema.shape) as (keyof DeploymentOutputs)[];

export function parseDeploymentOutputs(outputs: unknown): DeploymentOutputs {
  const parsed = outputsSchema.safeParse(outputs);
  if (!parsed.success) {
    const names = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '(outputs)')))];
    throw new AppError({
      code: 'deployment_failed',
      detail: `the deployment succeeded but did not return the outputs ${names.join(', ')}`,
    });
  }
  return parsed.data;
}
