import { z } from 'zod';
import { AppError } from '../../shared/platform/errors/AppError';
import type { ArmParameters } from './ArmClient';
import type { ArmTemplate } from './armTemplateSchema';

const parametersFileSchema = z.looseObject({
  parameters: z.record(
    z.string(),
    z.union([
      z.object({ value: z.unknown() }),
      z.object({
        reference: z.object({ keyVault: z.object({ id: z.string() }), secretName: z.string(), secretVersion: z.string().optional() }),
      }),
    ]),
  ),
});

export interface ResolveParametersInit {
  template: ArmTemplate;
  /** The parsed parameters file (ARM deploymentParameters JSON, as azd reads it too). */
  parametersFile: unknown;
  /** Where `${NAME}` in a file value is looked up, as azd does. */
  env: Readonly<Record<string, string | undefined>>;
  /** Values that win over the file (command-line options). */
  overrides: Record<string, string | undefined>;
  /** Values used when neither the file nor an override gives one. */
  fallbacks: Record<string, string>;
}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Turns the parameters file into the deployment's parameters: substitutes the
 * environment, converts numbers and booleans to the template's types, leaves empty
 * optional values to the template's defaults, and names every required one still missing
 * (with the variable that would fill it) in one error.
 */
export function resolveDeploymentParameters(init: ResolveParametersInit): ArmParameters {
  const file = parametersFileSchema.safeParse(init.parametersFile);
  if (!file.success) {
    throw new AppError({
      code: 'bad_request',
      detail: 'the parameters file is not an ARM parameters file ({ "parameters": { "name": { "value": … } } })',
    });
  }
  const definitions = init.template.parameters;
  const problems: string[] = [];
  const resolved: ArmParameters = {};
  const unsetVariables = new Map<string, string[]>();

  for (const [name, entry] of Object.entries(file.data.parameters)) {
    const definition = definitions[name];
    if (!definition) {
      problems.push(`${name}: not a parameter of main.bicep`);
      continue;
    }
    if ('reference' in entry) {
      resolved[name] = entry;
      continue;
    }
    const missing: string[] = [];
    const value =
      typeof entry.value === 'string'
        ? entry.value.replace(PLACEHOLDER, (_, variable: string) => {
            const text = init.env[variable];
            if (text === undefined || text === '') missing.push(variable);
            return text ?? '';
          })
        : entry.value;
    if (missing.length > 0) unsetVariables.set(name, missing);
    resolved[name] = { value: toTemplateType(value, definition.type) };
  }

  for (const [name, value] of Object.entries(init.overrides)) {
    if (value !== undefined) resolved[name] = { value: toTemplateType(value, definitions[name]?.type ?? 'string') };
  }
  for (const [name, value] of Object.entries(init.fallbacks)) {
    if (isAbsent(resolved[name])) resolved[name] = { value };
  }

  for (const [name, definition] of Object.entries(definitions)) {
    if (!isAbsent(resolved[name])) continue;
    if ('defaultValue' in definition) {
      // An empty value (an unset ${NAME}) means "not given": the template's default applies.
      delete resolved[name];
      continue;
    }
    const variables = unsetVariables.get(name);
    problems.push(variables ? `${name}: required: set ${variables.join(', ')}` : `${name}: required: give it in the parameters file`);
  }

  if (problems.length > 0) {
    throw new AppError({ code: 'bad_request', detail: `Deployment parameters:\n  - ${problems.sort().join('\n  - ')}` });
  }
  return resolved;
}

function isAbsent(parameter: ArmParameters[string] | undefined): boolean {
  return (
    parameter === undefined ||
    ('value' in parameter && (parameter.value === '' || parameter.value === undefined || parameter.value === null))
  );
}

function toTemplateType(value: unknown, type: string): unknown {
  if (typeof value !== 'string' || value === '') return value;
  const kind = type.toLowerCase();
  if (kind === 'int' && /^-?\d+$/.test(value)) return Number(value);
  if (kind === 'bool' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}
