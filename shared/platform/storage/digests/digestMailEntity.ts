import { odata } from '@azure/data-tables';
import { z } from 'zod';
import { parseTableRow } from '../parseTableRow';
import { tableDateSchema, toTableDate } from '../tableDate';
import { hashKey } from '../tableKey';
import { tableNames } from '../tableNames';
import type { TableCodec, TableRow } from '../TypedTable';
import { withoutUndefined } from '../withoutUndefined';
import { digestPartitionKey, type DigestPartition } from './digestWindowEntity';

/**
 * A mail held for the next digest of its (issue, conversation): what the digest lists of it,
 * never its body. Written before the `jira-notify` message that brought it is acknowledged;
 * deleted once the digest that listed it is recorded sent.
 */
export interface DigestMailEntity extends DigestPartition {
  internetMessageId: string;
  subject: string;
  fromName?: string;
  fromAddress?: string;
  receivedDateTime?: string;
  addedAt: string;
  /** The digest that lists it, set when that digest is assembled; absent while it waits. */
  digestSeq?: number;
}

export type DigestMailKey = DigestPartition & Pick<DigestMailEntity, 'internetMessageId'>;

const KIND = 'mail';
const ROW_PREFIX = 'mail:';

const rowSchema = z.object({
  kind: z.literal(KIND),
  tenantId: z.string().min(1),
  conversationId: z.string().min(1),
  instanceId: z.string().min(1),
  issueKey: z.string().min(1),
  internetMessageId: z.string().min(1),
  subject: z.string(),
  fromName: z.string().optional(),
  fromAddress: z.string().optional(),
  receivedDateTime: tableDateSchema.optional(),
  addedAt: tableDateSchema,
  digestSeq: z.number().int().min(1).optional(),
});

const rowKey = (key: DigestMailKey): string => ROW_PREFIX + hashKey(key.internetMessageId);

export function toTableEntity(entity: DigestMailEntity): TableRow {
  return withoutUndefined({
    partitionKey: digestPartitionKey(entity),
    rowKey: rowKey(entity),
    kind: KIND,
    tenantId: entity.tenantId,
    conversationId: entity.conversationId,
    instanceId: entity.instanceId,
    issueKey: entity.issueKey,
    internetMessageId: entity.internetMessageId,
    subject: entity.subject,
    fromName: entity.fromName,
    fromAddress: entity.fromAddress,
    receivedDateTime: entity.receivedDateTime === undefined ? undefined : toTableDate(entity.receivedDateTime, 'receivedDateTime'),
    addedAt: toTableDate(entity.addedAt, 'addedAt'),
    digestSeq: entity.digestSeq,
  });
}

export function fromTableEntity(row: Readonly<Record<string, unknown>>): DigestMailEntity {
  const { kind: _kind, ...entity } = withoutUndefined(parseTableRow(rowSchema, row, tableNames.digests));
  return entity;
}

export const digestMailCodec: TableCodec<DigestMailEntity, DigestMailKey, DigestPartition> = {
  table: tableNames.digests,
  partitionKey: digestPartitionKey,
  rowKey,
  toTableEntity,
  fromTableEntity,
  kindFilter: odata`kind eq ${KIND}`,
};
