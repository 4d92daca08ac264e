import type { TableClient } from '@azure/data-tables';
import { TypedTable } from '../TypedTable';
import { licenseCodec, type LicenseEntity, type LicenseKey, type LicensePartition } from './licenseEntity';

/** Table `licenses`: PartitionKey tenantId, RowKey instanceId. */
export class LicenseRepository extends TypedTable<LicenseEntity, LicenseKey, LicensePartition> {
  constructor(init: { client: TableClient }) {
    super({ client: init.client, codec: licenseCodec });
  }

  listByTenant(tenantId: string): AsyncIterableIterator<LicenseEntity> {
    return this.listPartition({ tenantId });
  }
}
