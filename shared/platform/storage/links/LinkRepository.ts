import type { TableClient } from '@azure/data-tables';
import { compositeKey, KEY_SEPARATOR } from '../tableKey';
import { TypedTable, type EntityPage, type PageRequest } from '../TypedTable';
import { linkCodec, type LinkEntity, type LinkKey, type LinkPartition } from './linkEntity';

/** Table `links`: PartitionKey tenant.hash(conversationId), RowKey instance.issueKey. */
export class LinkRepository extends TypedTable<LinkEntity, LinkKey, LinkPartition> {
  constructor(init: { client: TableClient }) {
    super({ client: init.client, codec: linkCodec });
  }

  /** The issues a conversation is linked to: one partition, what a new mail needs. */
  listByConversation(tenantId: string, conversationId: string): AsyncIterableIterator<LinkEntity> {
    return this.listPartition({ tenantId, conversationId });
  }

  /** Every link of a tenant (a range of partitions), for the admin report. */
  listByTenant(tenantId: string): AsyncIterableIterator<LinkEntity> {
    return this.query(this.tenantFilter(tenantId));
  }

  async listByTenantPage(tenantId: string, page: PageRequest = {}): Promise<EntityPage<LinkEntity>> {
    return this.queryPage(this.tenantFilter(tenantId), page);
  }

  private tenantFilter(tenantId: string): string {
    return this.partitionPrefixFilter(compositeKey(tenantId) + KEY_SEPARATOR);
  }
}
