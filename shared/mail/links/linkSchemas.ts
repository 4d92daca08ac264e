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

/**
 * A shared mailbox as Graph's `/users/{id | userPrincipalName}` takes it: its object id or its
 * address (what Office.js reports as the shared item's `targetMailbox`), stored lower case.
 */
export const sharedMailboxSchema = z
  .string()
  .trim()
  .min(3)
  .max(320)
  .regex(/^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[^\s@/\\?#'"]+@[^\s@/\\?#'"]+)$/, {
    message: 'expected the shared mailbox’s object id or address',
  })
  .transform((mailbox) => mailbox.toLowerCase());

/** `POST /api/links`: a link, made in a shared mailbox when `sharedMailbox` names one. */
export const linkCreateSchema = linkRequestSchema.extend({ sharedMailbox: sharedMailboxSchema.optional() });

export type LinkCreateRequest = z.output<typeof linkCreateSchema>;
