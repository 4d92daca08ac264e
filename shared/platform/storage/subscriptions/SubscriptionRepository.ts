import { odata, type TableClient } from '@azure/data-tables';
import { toTableDate } from '../tableDate';
import { TypedTable, type EntityPage, type PageRequest } from '../TypedTable';
import { subscriptionCodec, type SubscriptionEntity, type SubscriptionKey } from './subscriptionEntity';

/** Table `subscriptions`: PartitionKey subscriptionId (encoded), RowKey `''`. */
export class SubscriptionRepository extends TypedTable<SubscriptionEntity, SubscriptionKey, SubscriptionKey> {
  constructor(init: { client: TableClient }) {
    super({ client: init.client, codec: subscriptionCodec });
  }

  /** Subscriptions that expire before `time` (ISO), filtered by the service: the renewal timer's work list. */
  listExpiringBefore(time: string): AsyncIterableIterator<SubscriptionEntity> {
    return this.query(odata`expiresAt lt ${toTableDate(time, 'time')}`);
  }

  /** Every subscription (a table scan; for the admin view and repair jobs). */
  listAll(): AsyncIterableIterator<SubscriptionEntity> {
    return this.query(odata`RowKey eq ${''}`);
  }

  async listAllPage(page: PageRequest = {}): Promise<EntityPage<SubscriptionEntity>> {
    return this.queryPage(odata`RowKey eq ${''}`, page);
  }

  /** A tenant's subscriptions (a filtered table scan). */
  listByTenant(tenantId: string): AsyncIterableIterator<SubscriptionEntity> {
    return this.query(odata`tenantId eq ${tenantId}`);
  }
}
