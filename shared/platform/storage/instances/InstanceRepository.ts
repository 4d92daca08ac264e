import type { TableClient } from '@azure/data-tables';
import { TypedTable } from '../TypedTable';
import { instanceCodec, type InstanceEntity, type InstanceKey, type InstancePartition } from './instanceEntity';

/** Table `instances`: PartitionKey tenantId, RowKey instanceId. */
export class InstanceRepository extends TypedTable<InstanceEntity, InstanceKey, InstancePartition> {
  constructor(init: { client: TableClient }) {
    super({ client: init.client, codec: instanceCodec });
  }

  /** The instances a tenant registered. */
  listByTenant(tenantId: string): AsyncIterableIterator<InstanceEntity> {
    return this.listPartition({ tenantId });
  }
}
