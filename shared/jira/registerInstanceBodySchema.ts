import { z } from 'zod';

/**
 * `PUT /api/manage/instances/{instanceId}`. `serviceToken` is a personal access token of the
 * service user (Jira DC 8.14+), write-only: absent keeps the stored one (unless `baseUrl`
 * moves to another origin, which drops it), null removes it.
 */
export const registerInstanceBodySchema = z
  .object({
    baseUrl: z.string().min(1).max(2048),
    displayName: z.string().trim().min(1).max(200),
    serviceUser: z.string().trim().min(1).max(255).optional(),
    serviceToken: z
      .string()
      .trim()
      .min(1)
      .max(4096)
      .regex(/^[\x21-\x7e]+$/, 'expected a token without spaces')
      .nullable()
      .optional(),
    appKey: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,200}$/, 'expected a plugin key')
      .optional(),
  })
  .strict();

export type RegisterInstanceBody = z.output<typeof registerInstanceBodySchema>;
