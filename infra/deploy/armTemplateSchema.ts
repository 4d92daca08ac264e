import { z } from 'zod';

const parameterDefinition = z.looseObject({
  type: z.string(),
  defaultValue: z.unknown().optional(),
});

/** The parts of a compiled ARM template the deploy CLI reads; the rest passes through. */
export const armTemplateSchema = z.looseObject({
  $schema: z.string(),
  parameters: z.record(z.string(), parameterDefinition).default({}),
  resources: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]),
  outputs: z.record(z.string(), z.unknown()).default({}),
});

export type ArmTemplate = z.output<typeof armTemplateSchema>;
