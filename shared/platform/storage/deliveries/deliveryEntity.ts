import { z } from 'zod';
import { jsonColumn } from '../jsonColumn';
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
  /** How many watchers the issue had when it was sent. */
  watchers?: number;
  /** The Jira user names notified, at most `MAX_RECORDED_RECIPIENTS` (the panel's mail trail). */
  recipients?: string[];
  createdAt: string;
  updatedAt: string;
  /** While in the future, another worker must not send this notification. */
  leaseUntil?: string;
}

/** Jira user names are at most 255 characters: the list stays well inside a 64 KiB property. */
export const MAX_RECORDED_RECIPIENTS = 100;

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
  watchers: z.number().int().min(0).optional(),
  recipients: jsonColumn('recipients', z.array(z.string()).max(MAX_RECORDED_RECIPIENTS)).optional(),
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
    watchers: entity.watchers,
    recipients: entity.recipients === undefined ? undefined : JSON.stringify(entity.recipients.slice(0, MAX_RECORDED_RECIPIENTS)),
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
