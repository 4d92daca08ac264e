import { z } from 'zod';
import { traceparentSchema } from '../../platform/telemetry/traceparent';
import { jiraNotifyMessageSchema, notifiedMailSchema } from './jiraNotifyMessage';

/** What one linked issue of a pack keeps of its own; the mail and the rest are the pack's. */
export const packedIssueSchema = z.object({
  instanceId: z.string().min(1),
  issueKey: z.string().min(1).max(255),
  probe: z.boolean().optional(),
});

/**
 * Version 2 of a `jira-notify` message: one mail for several of its linked issues, so a mail
 * linked to three issues costs one queue write (and one delete) instead of three. Each issue
 * is notified on its own: its own ledger row, its own retries (a copy put back is a version
 * 1 message for that issue alone), its own poison. The tenant stays at the top.
 */
export const jiraNotifyPackSchema = z.object({
  version: z.literal(2),
  traceparent: traceparentSchema.optional().catch(undefined),
  tenantId: z.string().min(1),
  mailboxUserId: z.string().min(1),
  mail: notifiedMailSchema,
  enqueuedAt: z.iso.datetime({ offset: true }),
  items: z.array(packedIssueSchema).min(1),
});

export type JiraNotifyPack = z.output<typeof jiraNotifyPackSchema>;

/** Whatever may be on `jira-notify`: one (mail, issue) pair (version 1) or a pack (version 2). */
export const jiraNotifyQueueMessageSchema = z.discriminatedUnion('version', [jiraNotifyMessageSchema, jiraNotifyPackSchema]);
