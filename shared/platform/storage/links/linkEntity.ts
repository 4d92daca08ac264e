import { z } from 'zod';
import { parseTableRow } from '../parseTableRow';
import { tableDateSchema, toTableDate } from '../tableDate';
import { compositeKey, hashKey } from '../tableKey';
import { tableNames } from '../tableNames';
import type { TableCodec, TableRow } from '../TypedTable';
import { withoutUndefined } from '../withoutUndefined';

/** An e-mail conversation linked to a Jira issue. */
export interface LinkEntity {
  tenantId: string;
  conversationId: string;
  instanceId: string;
  issueKey: string;
  /** Who linked it. */
  userId: string;
  /**
   * The shared mailbox the conversation was linked in (its object id or address, lower case),
   * by a member of it; absent when it was the linking user's own mailbox.
   */
  mailboxId?: string;
  linkedAt: string;
  /** Set when Jira no longer shows the issue (404); kept so the user can see and remove it. */
  stale?: boolean;
  /** When Jira first refused the issue, while stale. */
  staleSince?: string;
  /** Jira's status in its last refusal, while stale. */
  staleStatus?: number;
  /** Refusals in a row, while stale: the backoff before the next probe grows with them. */
  staleChecks?: number;
  /** While stale: from this time the next mail goes to Jira as a probe. */
  nextCheckAt?: string;
}

export type LinkKey = Pick<LinkEntity, 'tenantId' | 'conversationId' | 'instanceId' | 'issueKey'>;
export type LinkPartition = Pick<LinkEntity, 'tenantId' | 'conversationId'>;

const rowSchema = z.object({
  tenantId: z.string().min(1),
  conversationId: z.string().min(1),
  instanceId: z.string().min(1),
  issueKey: z.string().min(1),
  userId: z.string().min(1),
  mailboxId: z.string().min(1).optional(),
  linkedAt: tableDateSchema,
  stale: z.boolean().optional(),
  staleSince: tableDateSchema.optional(),
  staleStatus: z.number().int().optional(),
  staleChecks: z.number().int().min(0).optional(),
  nextCheckAt: tableDateSchema.optional(),
});

/** Conversation ids run to hundreds of characters of Graph base64: hashed, one partition per conversation. */
const partitionKey = (partition: LinkPartition): string => compositeKey(partition.tenantId, hashKey(partition.conversationId));
const rowKey = (key: LinkKey): string => compositeKey(key.instanceId, key.issueKey);

export function toTableEntity(entity: LinkEntity): TableRow {
  return withoutUndefined({
    partitionKey: partitionKey(entity),
    rowKey: rowKey(entity),
    tenantId: entity.tenantId,
    conversationId: entity.conversationId,
    instanceId: entity.instanceId,
    issueKey: entity.issueKey,
    userId: entity.userId,
    mailboxId: entity.mailboxId,
    linkedAt: toTableDate(entity.linkedAt, 'linkedAt'),
    stale: entity.stale,
    staleSince: entity.staleSince === undefined ? undefined : toTableDate(entity.staleSince, 'staleSince'),
    staleStatus: entity.staleStatus,
    staleChecks: entity.staleChecks,
    nextCheckAt: entity.nextCheckAt === undefined ? undefined : toTableDate(entity.nextCheckAt, 'nextCheckAt'),
  });
}

export function fromTableEntity(row: Readonly<Record<string, unknown>>): LinkEntity {
  return withoutUndefined(parseTableRow(rowSchema, row, tableNames.links));
}

export const linkCodec: TableCodec<LinkEntity, LinkKey, LinkPartition> = {
  table: tableNames.links,
  partitionKey,
  rowKey,
  toTableEntity,
  fromTableEntity,
};
