import { z } from 'zod';
import { parseTableRow } from '../parseTableRow';
import { tableDateSchema, toTableDate } from '../tableDate';
import { encodeKeyPart } from '../tableKey';
import { tableNames } from '../tableNames';
import type { TableCodec, TableRow } from '../TypedTable';
import { withoutUndefined } from '../withoutUndefined';

/** The last run of one scheduled job (e.g. `renewSubscriptions`), for the operators' health answer. */
export interface JobRunEntity {
  job: string;
  lastRunAt: string;
  /** Whether the last run finished with nothing failed. */
  lastSucceeded: boolean;
  /** When a run last finished with nothing failed; kept through failed runs. */
  lastSuccessAt?: string;
}

export type JobRunKey = Pick<JobRunEntity, 'job'>;

const rowSchema = z.object({
  job: z.string().min(1),
  lastRunAt: tableDateSchema,
  lastSucceeded: z.boolean(),
  lastSuccessAt: tableDateSchema.optional(),
});

const partitionKey = (key: JobRunKey): string => encodeKeyPart(key.job);
/** One row per partition: a job is read by its name alone. */
const rowKey = (): string => '';

export function toTableEntity(entity: JobRunEntity): TableRow {
  return withoutUndefined({
    partitionKey: partitionKey(entity),
    rowKey: rowKey(),
    job: entity.job,
    lastRunAt: toTableDate(entity.lastRunAt, 'lastRunAt'),
    lastSucceeded: entity.lastSucceeded,
    lastSuccessAt: entity.lastSuccessAt === undefined ? undefined : toTableDate(entity.lastSuccessAt, 'lastSuccessAt'),
  });
}

export function fromTableEntity(row: Readonly<Record<string, unknown>>): JobRunEntity {
  return withoutUndefined(parseTableRow(rowSchema, row, tableNames.jobRuns));
}

export const jobRunCodec: TableCodec<JobRunEntity, JobRunKey, JobRunKey> = {
  table: tableNames.jobRuns,
  partitionKey,
  rowKey,
  toTableEntity,
  fromTableEntity,
};
