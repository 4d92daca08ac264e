import { z } from 'zod';
import { parseTableRow } from '../parseTableRow';
import { tableDateSchema, toTableDate } from '../tableDate';
import { compositeKey, hashKey } from '../tableKey';
import { tableNames } from '../tableNames';
import type { TableCodec, TableRow } from '../TypedTable';
import { withoutUndefined } from '../withoutUndefined';

export type DeliveryStatus = 'pending' | 'sent' | 'failed';

/**
 * One (mail, linked issue) notification. The row is the de-duplication record for an
 * at-least-once queue: inserted `pending` with a lease, then `sent` or `failed`.
 */
export interface DeliveryEntity {
  tenantId: string;
  internetMessageId: string;
  instanceId: string;
  issueKey: string;
  status: DeliveryStatus;
  attempts: number;
  /** The last HTTP status Jira answered. */
  lastStatus?: number;
  /** A stable reason code for `failed` (never an upstream body). */
  reason?: string;
  createdAt: string;
  updatedAt: string;
  /** While in the future, another worker must not send this notification. */
  leaseUntil?: string;
}

export type DeliveryKey = Pick<DeliveryEntity, 'tenantId' | 'internetMessageId' | 'instanceId' | 'issueKey'>;
export type DeliveryPartition = Pick<DeliveryEntity, 'tenantId' | 'internetMessageId'>;

const rowSchema = z.object({
  tenantId: z.string().min(1),
  internetMessageId: z.string().min(1),
  instanceId: z.string().min(1),
  issueKey: z.string().min(1),
  status: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number().int().min(0),
  lastStatus: z.number().int().optional(),
  reason: z.string().optional(),
  createdAt: tableDateSchema,
  updatedAt: tableDateSchema,
  leaseUntil: tableDateSchema.optional(),
});

const partitionKey = (partition: DeliveryPartition): string => compositeKey(partition.tenantId, hashKey(partition.internetMessageId));
const rowKey = (key: DeliveryKey): string => compositeKey(key.instanceId, key.issueKey);

export function toTableEntity(entity: DeliveryEntity): TableRow {
  return withoutUndefined({
    partitionKey: partitionKey(entity),
    rowKey: rowKey(entity),
    tenantId: entity.tenantId,
    internetMessageId: entity.internetMessageId,
    instanceId: entity.instanceId,
    issueKey: entity.issueKey,
    status: entity.status,
    attempts: entity.attempts,
    lastStatus: entity.lastStatus,
    reason: entity.reason,
    createdAt: toTableDate(entity.createdAt, 'createdAt'),
    updatedAt: toTableDate(entity.updatedAt, 'updatedAt'),
    leaseUntil: entity.leaseUntil === undefined ? undefined : toTableDate(entity.leaseUntil, 'leaseUntil'),
  });
}

export function fromTableEntity(row: Readonly<Record<string, unknown>>): DeliveryEntity {
  return withoutUndefined(parseTableRow(rowSchema, row, tableNames.deliveries));
}

export const deliveryCodec: TableCodec<DeliveryEntity, DeliveryKey, DeliveryPartition> = {
  table: tableNames.deliveries,
  partitionKey,
  rowKey,
  toTableEntity,
  fromTableEntity,
};
