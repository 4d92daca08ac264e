import type { TableRow } from '../TypedTable';

/**
 * One operation of an entity group transaction: `insert` (Insert Entity, fails with 409 when
 * the row exists), `upsert` (Insert Or Replace Entity), `update` (Update Entity, replacing the
 * row only while it still has `etag`; 412 otherwise, 404 when it is gone).
 */
export type TableBatchAction =
  { kind: 'insert'; row: TableRow } | { kind: 'upsert'; row: TableRow } | { kind: 'update'; row: TableRow; etag: string };
