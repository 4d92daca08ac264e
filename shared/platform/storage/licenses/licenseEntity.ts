import { z } from 'zod';
import { parseTableRow } from '../parseTableRow';
import { tableDateSchema, toTableDate } from '../tableDate';
import { encodeKeyPart } from '../tableKey';
import { tableNames } from '../tableNames';
import type { TableCodec, TableRow } from '../TypedTable';
import { withoutUndefined } from '../withoutUndefined';

/**
 * The cached license decision for an instance. The decision's shape belongs to the license
 * feature, so it is stored as JSON text and validated there.
 */
export interface LicenseEntity {
  tenantId: string;
  instanceId: string;
  decisionJson: string;
  checkedAt: string;
  /** When Jira last reported a valid license: the start of the grace period. */
  lastGoodAt?: string;
}

export type LicenseKey = Pick<LicenseEntity, 'tenantId' | 'instanceId'>;
export type LicensePartition = Pick<LicenseEntity, 'tenantId'>;

const rowSchema = z.object({
  tenantId: z.string().min(1),
  instanceId: z.string().min(1),
  decisionJson: z.string().min(1),
  checkedAt: tableDateSchema,
  lastGoodAt: tableDateSchema.optional(),
});

const partitionKey = (partition: LicensePartition): string => encodeKeyPart(partition.tenantId);
const rowKey = (key: LicenseKey): string => encodeKeyPart(key.instanceId);

export function toTableEntity(entity: LicenseEntity): TableRow {
  return withoutUndefined({
    partitionKey: partitionKey(entity),
    rowKey: rowKey(entity),
    tenantId: entity.tenantId,
    instanceId: entity.instanceId,
    decisionJson: entity.decisionJson,
    checkedAt: toTableDate(entity.checkedAt, 'checkedAt'),
    lastGoodAt: entity.lastGoodAt === undefined ? undefined : toTableDate(entity.lastGoodAt, 'lastGoodAt'),
  });
}

export function fromTableEntity(row: Readonly<Record<string, unknown>>): LicenseEntity {
  return withoutUndefined(parseTableRow(rowSchema, row, tableNames.licenses));
}

export const licenseCodec: TableCodec<LicenseEntity, LicenseKey, LicensePartition> = {
  table: tableNames.licenses,
  partitionKey,
  rowKey,
  toTableEntity,
  fromTableEntity,
};
