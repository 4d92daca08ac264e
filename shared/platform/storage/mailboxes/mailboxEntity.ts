import { z } from 'zod';
import { parseTableRow } from '../parseTableRow';
import { tableDateSchema, toTableDate } from '../tableDate';
import { encodeKeyPart } from '../tableKey';
import { tableNames } from '../tableNames';
import type { TableCodec, TableRow } from '../TypedTable';

/** Which Graph subscription watches a mailbox, so linking a conversation does not create a second one. */
export interface MailboxEntity {
  tenantId: string;
  userId: string;
  subscriptionId: string;
  updatedAt: string;
}

export type MailboxKey = Pick<MailboxEntity, 'tenantId' | 'userId'>;
export type MailboxPartition = Pick<MailboxEntity, 'tenantId'>;

const rowSchema = z.object({
  tenantId: z.string().min(1),
  userId: z.string().min(1),
  subscriptionId: z.string().min(1),
  updatedAt: tableDateSchema,
});

const partitionKey = (partition: MailboxPartition): string => encodeKeyPart(partition.tenantId);
const rowKey = (key: MailboxKey): string => encodeKeyPart(key.userId);

export function toTableEntity(entity: MailboxEntity): TableRow {
  return {
    partitionKey: partitionKey(entity),
    rowKey: rowKey(entity),
    tenantId: entity.tenantId,
    userId: entity.userId,
    subscriptionId: entity.subscriptionId,
    updatedAt: toTableDate(entity.updatedAt, 'updatedAt'),
  };
}

export function fromTableEntity(row: Readonly<Record<string, unknown>>): MailboxEntity {
  return parseTableRow(rowSchema, row, tableNames.mailboxes);
}

export const mailboxCodec: TableCodec<MailboxEntity, MailboxKey, MailboxPartition> = {
  table: tableNames.mailboxes,
  partitionKey,
  rowKey,
  toTableEntity,
  fromTableEntity,
};
