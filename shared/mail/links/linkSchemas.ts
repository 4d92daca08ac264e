import { z } from 'zod';
import { INSTANCE_ID_PATTERN } from '../../jira/instanceId';

/** Jira issue keys: a project key (letter first), a dash, a number. Stored upper case, as Jira shows them. */
export const issueKeySchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,254}-[1-9][0-9]{0,17}$/, { message: 'expected an issue key such as DEMO-1' })
  .transform((key) => key.toUpperCase());

export const conversationIdSchema = z.string().min(1).max(1024);
export const instanceIdSchema = z.string().regex(INSTANCE_ID_PATTERN, { message: 'expected an instance id' });

/** `POST /api/links` and the query of `DELETE /api/links`. */
export const linkRequestSchema = z.object({
  conversationId: conversationIdSchema,
  instanceId: instanceIdSchema,
  issueKey: issueKeySchema,
});

export type LinkRequest = z.output<typeof linkRequestSchema>;
