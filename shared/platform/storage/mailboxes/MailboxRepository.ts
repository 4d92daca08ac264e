import type { TableClient } from '@azure/data-tables';
import { TypedTable } from '../TypedTable';
import { mailboxCodec, type MailboxEntity, type MailboxKey, type MailboxPartition } from './mailboxEntity';

/** Table `mailboxes`: PartitionKey tenantId, RowKey userId (encoded). */
export class MailboxRepository extends TypedTable<MailboxEntity, MailboxKey, MailboxPartition> {
  constructor(init: { client: TableClient }) {
    super({ client: init.client, codec: mailboxCodec });
  }

  listByTenant(tenantId: string): AsyncIterableIterator<MailboxEntity> {
    return this.listPartition({ tenantId });
  }
}
