import { odata, type TableClient } from '@azure/data-tables';
import { toTableDate } from '../tableDate';
import { TypedTable } from '../TypedTable';
import { mailTrailCodec, type MailTrailEntity, type MailTrailKey, type MailTrailPartition } from './mailTrailEntity';

/** Table `trails`: PartitionKey tenant, RowKey mailbox user + hash(Graph message id). */
export class MailTrailRepository extends TypedTable<MailTrailEntity, MailTrailKey, MailTrailPartition> {
  constructor(init: { client: TableClient }) {
    super({ client: init.client, codec: mailTrailCodec });
  }

  /** The tenant's mails whose Graph message id, internetMessageId or conversation id is `id`. */
  listByAnyId(tenantId: string, id: string): AsyncIterableIterator<MailTrailEntity> {
    return this.query(
      `${this.partitionFilter({ tenantId })} and (${odata`messageId eq ${id} or internetMessageId eq ${id} or conversationId eq ${id}`})`,
    );
  }

  /** Rows last changed before `time` (ISO), across all tenants: the daily prune's work list. */
  listUpdatedBefore(time: string): AsyncIterableIterator<MailTrailEntity> {
    return this.query(odata`updatedAt lt ${toTableDate(time, 'time')}`);
  }
}
