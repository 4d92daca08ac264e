import { odata } from '@azure/data-tables';
import { z } from 'zod';
import { parseTableRow } from '../parseTableRow';
import { tableDateSchema, toTableDate } from '../tableDate';
import { compositeKey, hashKey } from '../tableKey';
import { tableNames } from '../tableNames';
import type { TableCodec, TableRow } from '../TypedTable';
import { withoutUndefined } from '../withoutUndefined';

/**
 * The notification window of one (linked issue, conversation): when the last notification
 * went out (a single mail's or a digest's), how many digests were sent, and when the next
 * digest is due if mails are waiting for it.
 */
export interface DigestWindowEntity {
  tenantId: string;
  conversationId: string;
  instanceId: string;
  issueKey: string;
  /** When the current window started: a notification was let through then. */
  openedAt: string;
  /** Digests sent so far; the next one is number `seq + 1` (its ledger identity). */
  seq: number;
  /** A delayed flush message is on `jira-notify` for this time; absent when none is needed. */
  flushDueAt?: string;
  updatedAt: string;
}

export type DigestPartition = Pick<DigestWindowEntity, 'tenantId' | 'conversationId' | 'instanceId' | 'issueKey'>;

const KIND = 'window';
/** `:` never occurs in an encoded key part, so no mail row's key can equal it. */
const ROW_KEY = 'window:';

const rowSchema = z.object({
  kind: z.literal(KIND),
  tenantId: z.string().min(1),
  conversationId: z.string().min(1),
  instanceId: z.string().min(1),
  issueKey: z.string().min(1),
  openedAt: tableDateSchema,
  seq: z.number().int().min(0),
  flushDueAt: tableDateSchema.optional(),
  updatedAt: tableDateSchema,
});

/** Conversation ids hold `/` and `+`: hashed, like the links table's. */
export const digestPartitionKey = (partition: DigestPartition): string =>
  compositeKey(partition.tenantId, hashKey(partition.conversationId), partition.instanceId, partition.issueKey);

export function toTableEntity(entity: DigestWindowEntity): TableRow {
  return withoutUndefined({
    partitionKey: digestPartitionKey(entity),
    rowKey: ROW_KEY,
    kind: KIND,
    tenantId: entity.tenantId,
    conversationId: entity.conversationId,
    instanceId: entity.instanceId,
    issueKey: entity.issueKey,
    openedAt: toTableDate(entity.openedAt, 'openedAt'),
    seq: entity.seq,
    flushDueAt: entity.flushDueAt === undefined ? undefined : toTableDate(entity.flushDueAt, 'flushDueAt'),
    updatedAt: toTableDate(entity.updatedAt, 'updatedAt'),
  });
}

export function fromTableEntity(row: Readonly<Record<string, unknown>>): DigestWindowEntity {
  const { kind: _kind, ...entity } = withoutUndefined(parseTableRow(rowSchema, row, tableNames.digests));
  return entity;
}

export const digestWindowCodec: TableCodec<DigestWindowEntity, DigestPartition, DigestPartition> = {
  table: tableNames.digests,
  partitionKey: digestPartitionKey,
  rowKey: () => ROW_KEY,
  toTableEntity,
  fromTableEntity,
  kindFilter: odata`kind eq ${KIND}`,
};
