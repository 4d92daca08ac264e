import { parseArgs } from 'node:util';
import { z } from 'zod';
import { AppError } from '../../shared/platform/errors/AppError';

export interface DeployOptions {
  subscription: string;
  resourceGroup: string;
  location: string;
  whatIf: boolean;
  rotateDataKey: boolean;
  parametersFile: string | undefined;
  environmentName: string | undefined;
  deploymentName: string | undefined;
}

export const deployUsage = `Usage: npm run deploy -- --subscription <id> --resource-group <name> --location <region> [options]

  --subscription <id>        Azure subscription id
  --resource-group <name>    resource group to deploy into (created when missing)
  --location <region>        Azure region with the Flex Consumption plan, e.g. westeurope
  --what-if                  show what the deployment would change, change nothing
  --rotate-data-key          DATA_ENCRYPTION_KEY is a new key under a new key id: it encrypts
                             from now on, the stored keys stay for decryption (without this
                             flag a key different from the stored one is refused)
  --parameters <file>        ARM parameters file (default infra/main.parameters.json);
                             \${NAME} in a value is read from the environment
  --environment <name>       environment name for tags and unique names (default: the resource group)
  --deployment-name <name>   name of the ARM deployment (default: jira-outlook-cloud-<timestamp>)
  --help                     this text

Secrets come from the environment, never from the command line:
  GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET, DATA_ENCRYPTION_KEY (see docs/deployment.md).
DATA_ENCRYPTION_KEY is required on the first deployment; unset, a redeployment keeps the stored key.`;

const optionsSchema = z.object({
  subscription: z
    .string({ message: '--subscription is required' })
    .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, {
      message: '--subscription: expected a subscription id (a GUID)',
    }),
  'resource-group': z
    .string({ message: '--resource-group is required' })
    .regex(/^[-\w.()]{1,90}$/, { message: '--resource-group: 1-90 letters, digits, - _ . ( )' })
    .refine((v) => !v.endsWith('.'), { message: '--resource-group: must not end with a period' }),
  location: z
    .string({ message: '--location is required' })
    .transform((v) => v.toLowerCase().replace(/\s+/g, ''))
    .refine((v) => /^[a-z0-9]{2,40}$/.test(v), { message: '--location: expected a region name such as westeurope' }),
  'what-if': z.boolean().default(false),
  'rotate-data-key': z.boolean().default(false),
  parameters: z.string().min(1).optional(),
  environment: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/, { message: '--environment: 1-64 letters, digits and hyphens' })
    .optional(),
  'deployment-name': z
    .string()
    .regex(/^[-\w.()]{1,64}$/, { message: '--deployment-name: 1-64 letters, digits, - _ . ( )' })
    .optional(),
});

/** Returns the options, or `'help'` when --help was asked for. */
export function parseDeployArgs(argv: readonly string[]): DeployOptions | 'help' {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        subscription: { type: 'string' },
        'resource-group': { type: 'string' },
        location: { type: 'string' },
        'what-if': { type: 'boolean' },
        'rotate-data-key': { type: 'boolean' },
        parameters: { type: 'string' },
        environment: { type: 'string' },
        'deployment-name': { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    throw new AppError({
      code: 'bad_request',
      detail: `${error instanceof Error ? error.message : String(error)}\n\n${deployUsage}`,
      cause: error,
    });
  }
  if (values.help === true) return 'help';
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => issue.message);
    throw new AppError({ code: 'bad_request', detail: `${problems.join('\n')}\n\n${deployUsage}` });
  }
  const o = parsed.data;
  return {
    subscription: o.subscription,
    resourceGroup: o['resource-group'],
    location: o.location,
    whatIf: o['what-if'],
    rotateDataKey: o['rotate-data-key'],
    parametersFile: o.parameters,
    environmentName: o.environment,
    deploymentName: o['deployment-name'],
  };
}
