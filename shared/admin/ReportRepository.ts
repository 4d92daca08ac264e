import { odata, type TableClient } from '@azure/data-tables';
import { encodeKeyPart } from '../platform/storage/tableKey';
import { TypedTable } from '../platform/storage/TypedTable';
import { reportCodec, type ReportEntity, type ReportKey, type ReportPartition } from './reportEntity';

/** Table `reports`: PartitionKey scope, RowKey day.shard. */
export class ReportRepository extends TypedTable<ReportEntity, ReportKey, ReportPartition> {
  constructor(init: { client: TableClient }) {
    super({ client: init.client, codec: reportCodec });
  }

  /** Every shard of the scope's days from `firstDay` to `lastDay` (inclusive, `YYYY-MM-DD`). */
  listDays(scope: string, firstDay: string, lastDay: string): AsyncIterableIterator<ReportEntity> {
    // RowKeys start with the day; `lastDay/` sorts after every `lastDay.<shard>`.
    return this.query(odata`PartitionKey eq ${encodeKeyPart(scope)} and RowKey ge ${firstDay} and RowKey lt ${`${lastDay}/`}`);
  }
}
