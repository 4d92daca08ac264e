import { z } from 'zod';
import { jsonColumn } from '../jsonColumn';
import { parseTableRow } from '../parseTableRow';
import { tableDateSchema, toTableDate } from '../tableDate';
import { compositeKey, hashKey } from '../tableKey';
import { tableNames } from '../tableNames';
import type { TableCodec, TableRow } from '../TypedTable';
import { withoutUndefined } from '../withoutUndefined';

/** What the fan-out did with one linked issue of the mail. */
export const trailIssueStates = ['queued', 'alreadyHandled', 'staleSkipped'] as const;
export type TrailIssueState = (typeof trailIssueStates)[number];

export interface TrailIssue {
  instanceId: string;
  issueKey: string;
  state: TrailIssueState;
}

/** Why a mail went no further than the fan-out. */
/** Why the fan-out let a mail go: not a new mail, no conversation, gone, not linked, or suppressed (`SuppressionReason`). */
export const trailDropReasons = ['changeType', 'noConversation', 'mailGone', 'notLinked', 'draft', 'loop', 'autoReply', 'bulk'] as const;
export type TrailDropReason = (typeof trailDropReasons)[number];

/**
 * One mail as one mailbox received it, as the fan-out handled it: the first links of "why
 * was I, or wasn't I, notified?". Ids and times only, never what the mail said. The issues'
 * own steps (watchers, who was notified, failures) are the `deliveries` rows of the mail.
 */
export interface MailTrailEntity {
  tenantId: string;
  /** The mailbox owner's object id. */
  userId: string;
  /** Graph's id of the message in that mailbox. */
  messageId: string;
  subscriptionId: string;
  /** When the webhook accepted Graph's notification. */
  receivedAt: string;
  /** Known once the mail was read (or came with the notification). */
  internetMessageId?: string;
  conversationId?: string;
  outcome: 'dropped' | 'matched';
  reason?: TrailDropReason;
  /** With `matched`: the links that let the mail through, at most `MAX_TRAIL_ISSUES`. */
  issues: TrailIssue[];
  updatedAt: string;
}

export type MailTrailKey = Pick<MailTrailEntity, 'tenantId' | 'userId' | 'messageId'>;
export type MailTrailPartition = Pick<MailTrailEntity, 'tenantId'>;

/** A conversation linked to more issues than this is unusual; the row stays far below the 64 KiB of a property. */
export const MAX_TRAIL_ISSUES = 100;

const issueSchema = z.object({ instanceId: z.string().min(1), issueKey: z.string().min(1), state: z.enum(trailIssueStates) });

const rowSchema = z.object({
  tenantId: z.string().min(1),
  userId: z.string().min(1),
  messageId: z.string().min(1),
  subscriptionId: z.string().min(1),
  receivedAt: tableDateSchema,
  internetMessageId: z.string().min(1).optional(),
  conversationId: z.string().min(1).optional(),
  outcome: z.enum(['dropped', 'matched']),
  reason: z.enum(trailDropReasons).optional(),
  issues: jsonColumn('issues', z.array(issueSchema).max(MAX_TRAIL_ISSUES)),
  updatedAt: tableDateSchema,
});

/** One partition per tenant: the panel looks a mail up by any of its ids within its tenant. */
const partitionKey = (partition: MailTrailPartition): string => compositeKey(partition.tenantId);
/** Graph message ids hold `/` and `+`: hashed. */
const rowKey = (key: MailTrailKey): string => compositeKey(key.userId, hashKey(key.messageId));

export function toTableEntity(entity: MailTrailEntity): TableRow {
  return withoutUndefined({
    partitionKey: partitionKey(entity),
    rowKey: rowKey(entity),
    tenantId: entity.tenantId,
    userId: entity.userId,
    messageId: entity.messageId,
    subscriptionId: entity.subscriptionId,
    receivedAt: toTableDate(entity.receivedAt, 'receivedAt'),
    internetMessageId: entity.internetMessageId,
    conversationId: entity.conversationId,
    outcome: entity.outcome,
    reason: entity.reason,
    issues: JSON.stringify(entity.issues.slice(0, MAX_TRAIL_ISSUES)),
    updatedAt: toTableDate(entity.updatedAt, 'updatedAt'),
  });
}

export function fromTableEntity(row: Readonly<Record<string, unknown>>): MailTrailEntity {
  return withoutUndefined(parseTableRow(rowSchema, row, tableNames.trails));
}

export const mailTrailCodec: TableCodec<MailTrailEntity, MailTrailKey, MailTrailPartition> = {
  table: tableNames.trails,
  partitionKey,
  rowKey,
  toTableEntity,
  fromTableEntity,
};
