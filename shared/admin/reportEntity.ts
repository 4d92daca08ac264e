import { z } from 'zod';
import { AppError } from '../platform/errors/AppError';
import { parseTableRow } from '../platform/storage/parseTableRow';
import { tableDateSchema, toTableDate } from '../platform/storage/tableDate';
import { compositeKey, encodeKeyPart } from '../platform/storage/tableKey';
import { tableNames } from '../platform/storage/tableNames';
import type { TableCodec, TableRow } from '../platform/storage/TypedTable';

/**
 * One shard of one day's counters of a scope (a tenant, or the whole deployment for what
 * cannot be attributed to a tenant). Counters are spread over a few shards so concurrent
 * writers rarely contend for one row's ETag; a day's figure is the sum of its shards.
 */
export interface ReportEntity {
  scope: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  shard: number;
  /** Metric name → count. Names are `[A-Za-z][A-Za-z0-9_]*`: they become column names. */
  counts: Record<string, number>;
  updatedAt: string;
}

export type ReportKey = Pick<ReportEntity, 'scope' | 'day' | 'shard'>;
export type ReportPartition = Pick<ReportEntity, 'scope'>;

/** Counters are columns `n_<metric>`; nothing else in the row starts with it. */
const COUNT_PREFIX = 'n_';
export const METRIC_NAME = /^[A-Za-z][A-Za-z0-9_]{0,200}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const rowSchema = z.looseObject({
  scope: z.string().min(1),
  day: z.string().regex(DAY),
  shard: z.number().int().min(0),
  updatedAt: tableDateSchema,
});

const partitionKey = (partition: ReportPartition): string => encodeKeyPart(partition.scope);
const rowKey = (key: ReportKey): string => compositeKey(key.day, String(key.shard));

export function toTableEntity(entity: ReportEntity): TableRow {
  const row: TableRow = {
    partitionKey: partitionKey(entity),
    rowKey: rowKey(entity),
    scope: entity.scope,
    day: entity.day,
    shard: entity.shard,
    updatedAt: toTableDate(entity.updatedAt, 'updatedAt'),
  };
  for (const [metric, count] of Object.entries(entity.counts)) {
    if (!METRIC_NAME.test(metric)) throw new AppError({ code: 'internal', detail: 'a report metric name is not a valid column name' });
    row[`${COUNT_PREFIX}${metric}`] = count;
  }
  return row;
}

export function fromTableEntity(row: Readonly<Record<string, unknown>>): ReportEntity {
  const parsed = parseTableRow(rowSchema, row, tableNames.reports);
  const counts: Record<string, number> = {};
  for (const [column, value] of Object.entries(row)) {
    if (!column.startsWith(COUNT_PREFIX)) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new AppError({ code: 'storage_row_invalid', detail: `a row of table ${tableNames.reports} has an invalid counter` });
    }
    counts[column.slice(COUNT_PREFIX.length)] = value;
  }
  return { scope: parsed.scope, day: parsed.day, shard: parsed.shard, counts, updatedAt: parsed.updatedAt };
}

export const reportCodec: TableCodec<ReportEntity, ReportKey, ReportPartition> = {
  table: tableNames.reports,
  partitionKey,
  rowKey,
  toTableEntity,
  fromTableEntity,
};
