import { z } from 'zod';
import { traceparentSchema } from '../../platform/telemetry/traceparent';

/** Bounds that keep a message far below the queue's 64 KiB, whatever a mail carries. */
export const MAX_SUBJECT_LENGTH = 500;
export const MAX_PREVIEW_LENGTH = 1000;
export const MAX_LINK_LENGTH = 4000;
export const MAX_MESSAGE_ID_LENGTH = 2048;

/**
 * What a notification tells about the mail: everything the notify step needs, so it never
 * reads Graph and a poisoned message can be replayed long after the mail changed.
 */
export const notifiedMailSchema = z.object({
  /** De-duplication key: the same mail in several mailboxes of a tenant has one. */
  internetMessageId: z.string().min(1).max(MAX_MESSAGE_ID_LENGTH),
  conversationId: z.string().min(1),
  /** Graph's id of the mail in the mailbox whose notification produced this message. */
  messageId: z.string().min(1),
  subject: z.string().max(MAX_SUBJECT_LENGTH),
  fromName: z.string().max(MAX_SUBJECT_LENGTH).optional(),
  fromAddress: z.string().max(MAX_SUBJECT_LENGTH).optional(),
  receivedDateTime: z.string().max(64).optional(),
  bodyPreview: z.string().max(MAX_PREVIEW_LENGTH),
  webLink: z.string().max(MAX_LINK_LENGTH).optional(),
});

export type NotifiedMail = z.output<typeof notifiedMailSchema>;

/** How often this notification was put back, by cause; the retry policy reads them. */
export const retryCountsSchema = z.object({
  throttled: z.number().int().min(0),
  failed: z.number().int().min(0),
});

export type RetryCounts = z.output<typeof retryCountsSchema>;

/**
 * One message on `jira-notify`: one (mail, linked issue) pair. Its identity for the ledger
 * in `deliveries` is (tenantId, mail.internetMessageId, instanceId, issueKey).
 */
export const jiraNotifyMessageSchema = z.object({
  version: z.literal(1),
  /** The trace this message continues (W3C `traceparent`); optional, and a bad one is dropped, so older messages stay valid. */
  traceparent: traceparentSchema.optional().catch(undefined),
  tenantId: z.string().min(1),
  instanceId: z.string().min(1),
  issueKey: z.string().min(1).max(255),
  /** The mailbox the mail was seen in (its owner's object id). */
  mailboxUserId: z.string().min(1),
  mail: notifiedMailSchema,
  /** When the fan-out enqueued the first copy, ISO 8601. */
  enqueuedAt: z.iso.datetime({ offset: true }),
  retry: retryCountsSchema.default({ throttled: 0, failed: 0 }),
  /** Sent through a stale link whose backoff had passed: an answer from Jira makes the link live again. */
  probe: z.boolean().optional(),
  /**
   * A digest's flush (storm control): `mail` then stands for the digest (its internetMessageId
   * is the digest's ledger identity), and the mails it lists are read from `digests` when it
   * is sent. A retried or duplicated flush carries the same number, so the ledger lets one through.
   */
  digest: z.object({ seq: z.number().int().min(1) }).optional(),
});

export type JiraNotifyMessage = z.output<typeof jiraNotifyMessageSchema>;

/** The linked issue and conversation a message is about: a link's key, and storm control's window. */
export interface IssueConversation {
  tenantId: string;
  conversationId: string;
  instanceId: string;
  issueKey: string;
}

export function issueConversationOf(message: JiraNotifyMessage): IssueConversation {
  return {
    tenantId: message.tenantId,
    conversationId: message.mail.conversationId,
    instanceId: message.instanceId,
    issueKey: message.issueKey,
  };
}
