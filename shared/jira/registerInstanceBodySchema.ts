import { z } from 'zod';

const clientCredential = z
  .string()
  .trim()
  .min(1)
  .max(512)
  .regex(/^[\x21-\x7e]+$/, 'expected a value without spaces');

/**
 * `PUT /api/manage/instances/{instanceId}`. `authKind` is how users authorize: `oauth1`
 * (the application link with the app's RSA key) or `oauth2` (Jira DC 8.22+, the incoming
 * link's `oauth2ClientId` and write-only `oauth2ClientSecret`); absent keeps the stored
 * kind, and a new instance takes `oauth2` when client credentials come with it. `serviceToken` is a personal access token of the
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
    authKind: z.enum(['oauth1', 'oauth2']).optional(),
    oauth2ClientId: clientCredential.optional(),
    oauth2ClientSecret: clientCredential.optional(),
    appKey: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,200}$/, 'expected a plugin key')
      .optional(),
  })
  .strict();

export type RegisterInstanceBody = z.output<typeof registerInstanceBodySchema>;
