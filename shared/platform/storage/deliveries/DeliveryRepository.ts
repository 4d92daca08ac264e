import { odata, type TableClient } from '@azure/data-tables';
import { toTableDate } from '../tableDate';
import { compositeKey, KEY_SEPARATOR } from '../tableKey';
import { TypedTable, type EntityPage, type PageRequest } from '../TypedTable';
import { deliveryCodec, type DeliveryEntity, type DeliveryKey, type DeliveryPartition } from './deliveryEntity';

/** Table `deliveries`: PartitionKey tenant.hash(internetMessageId), RowKey instance.issueKey. */
export class DeliveryRepository extends TypedTable<DeliveryEntity, DeliveryKey, DeliveryPartition> {
  constructor(init: { client: TableClient }) {
    super({ client: init.client, codec: deliveryCodec });
  }

  /** The notifications of one mail. */
  listByMessage(tenantId: string, internetMessageId: string): AsyncIterableIterator<DeliveryEntity> {
    return this.listPartition({ tenantId, internetMessageId });
  }

  /** Rows last changed before `time` (ISO), across all tenants: the daily prune's work list. */
  listUpdatedBefore(time: string): AsyncIterableIterator<DeliveryEntity> {
    return this.query(odata`updatedAt lt ${toTableDate(time, 'time')}`);
  }

  /** A tenant's notifications (a range of partitions), for the admin report. */
  async listByTenantPage(tenantId: string, page: PageRequest = {}): Promise<EntityPage<DeliveryEntity>> {
    return this.queryPage(this.partitionPrefixFilter(compositeKey(tenantId) + KEY_SEPARATOR), page);
  }
}
