import { odata } from '@azure/data-tables';
import { z } from 'zod';
import { parseTableRow } from '../parseTableRow';
import { encodeKeyPart } from '../tableKey';
import { tableNames } from '../tableNames';
import type { TableCodec, TableProperty, TableRow } from '../TypedTable';
import { withoutUndefined } from '../withoutUndefined';

/** Every row of `jiraTokens` is partitioned by tenant. */
export interface JiraTokenPartition {
  tenantId: string;
}

export interface JiraTokenCodecInit<E extends K, K extends JiraTokenPartition, S extends z.ZodRawShape> {
  /** The `kind` column that tells this kind of row from the others sharing the table. */
  kind: string;
  rowKey: (key: K) => string;
  /** The columns of the row, `kind` and the keys aside. */
  columns: S;
  toColumns: (entity: E) => Record<string, TableProperty | undefined>;
  fromColumns: (parsed: z.output<z.ZodObject<S>>) => E;
}

/**
 * The converters of one kind of `jiraTokens` row: the tenant partition, the `kind` column
 * (written, checked on read, and the kind filter of queries) and zod validation of every
 * row read back. Access tokens, request tokens and used panel tokens share this one home.
 */
export function jiraTokenCodec<E extends K, K extends JiraTokenPartition, S extends z.ZodRawShape>(
  init: JiraTokenCodecInit<E, K, S>,
): TableCodec<E, K, JiraTokenPartition> {
  const schema = z.object(init.columns);
  const kindSchema = z.object({ kind: z.literal(init.kind) });
  const partitionKey = (partition: JiraTokenPartition): string => encodeKeyPart(partition.tenantId);
  return {
    table: tableNames.jiraTokens,
    partitionKey,
    rowKey: init.rowKey,
    toTableEntity: (entity: E): TableRow => ({
      partitionKey: partitionKey(entity),
      rowKey: init.rowKey(entity),
      kind: init.kind,
      ...withoutUndefined(init.toColumns(entity)),
    }),
    fromTableEntity: (row) => {
      parseTableRow(kindSchema, row, tableNames.jiraTokens);
      return init.fromColumns(parseTableRow(schema, row, tableNames.jiraTokens));
    },
    kindFilter: odata`kind eq ${init.kind}`,
  };
}
