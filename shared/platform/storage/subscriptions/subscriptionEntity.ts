import { z } from 'zod';
import { parseTableRow } from '../parseTableRow';
import { tableDateSchema, toTableDate } from '../tableDate';
import { encodeKeyPart } from '../tableKey';
import { tableNames } from '../tableNames';
import type { TableCodec, TableRow } from '../TypedTable';
import { withoutUndefined } from '../withoutUndefined';

/** A Microsoft Graph change-notification subscription on one mailbox. */
export interface SubscriptionEntity {
  subscriptionId: string;
  tenantId: string;
  /** The mailbox's user id. */
  userId: string;
  resource: string;
  /** Hash of the clientState sent to Graph; the clientState itself is a secret. */
  clientStateHash: string;
  expiresAt: string;
  /** ISO time of the last processed notification (the panel's "last notification"). */
  watermark?: string;
  /**
   * Low-water mark: every mail received before this time is known to have been queued (the
   * subscription's creation, carried over to a replacement, then each finished catch-up).
   * A catch-up after `missed` starts here; a row without one starts at `createdAt`.
   */
  completeUntil?: string;
  createdAt: string;
  renewedAt?: string;
  /** Free-form lifecycle state set by the subscription features (e.g. `active`, `reauthorizationRequired`). */
  state?: string;
}

export type SubscriptionKey = Pick<SubscriptionEntity, 'subscriptionId'>;

const rowSchema = z.object({
  subscriptionId: z.string().min(1),
  tenantId: z.string().min(1),
  userId: z.string().min(1),
  resource: z.string().min(1),
  clientStateHash: z.string().min(1),
  expiresAt: tableDateSchema,
  watermark: tableDateSchema.optional(),
  completeUntil: tableDateSchema.optional(),
  createdAt: tableDateSchema,
  renewedAt: tableDateSchema.optional(),
  state: z.string().optional(),
});

const partitionKey = (partition: SubscriptionKey): string => encodeKeyPart(partition.subscriptionId);
/** One row per partition: a subscription is read by its id alone. */
const rowKey = (): string => '';

export function toTableEntity(entity: SubscriptionEntity): TableRow {
  return withoutUndefined({
    partitionKey: partitionKey(entity),
    rowKey: rowKey(),
    subscriptionId: entity.subscriptionId,
    tenantId: entity.tenantId,
    userId: entity.userId,
    resource: entity.resource,
    clientStateHash: entity.clientStateHash,
    expiresAt: toTableDate(entity.expiresAt, 'expiresAt'),
    watermark: entity.watermark === undefined ? undefined : toTableDate(entity.watermark, 'watermark'),
    completeUntil: entity.completeUntil === undefined ? undefined : toTableDate(entity.completeUntil, 'completeUntil'),
    createdAt: toTableDate(entity.createdAt, 'createdAt'),
    renewedAt: entity.renewedAt === undefined ? undefined : toTableDate(entity.renewedAt, 'renewedAt'),
    state: entity.state,
  });
}

export function fromTableEntity(row: Readonly<Record<string, unknown>>): SubscriptionEntity {
  return withoutUndefined(parseTableRow(rowSchema, row, tableNames.subscriptions));
}

export const subscriptionCodec: TableCodec<SubscriptionEntity, SubscriptionKey, SubscriptionKey> = {
  table: tableNames.subscriptions,
  partitionKey,
  rowKey,
  toTableEntity,
  fromTableEntity,
};
