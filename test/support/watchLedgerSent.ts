import type { DeliveryEntity } from '../../shared/platform/storage/deliveries/deliveryEntity';
import type { DeliveryRepository } from '../../shared/platform/storage/deliveries/DeliveryRepository';

/**
 * Calls `onSent` for every `sent` row the delivery ledger writes, once the write succeeded:
 * a lone row (`upsert`) or a mail's rows in one transaction (`upsertAll`), each write once. The chaos runs use
 * it to tell a duplicate from the documented crash window (Jira's 2xx, then no ledger write).
 */
export function watchLedgerSent(
  deliveries: Pick<DeliveryRepository, 'upsert' | 'upsertAll'>,
  onSent: (entity: DeliveryEntity) => void,
): void {
  const upsert = deliveries.upsert.bind(deliveries);
  const upsertAll = deliveries.upsertAll.bind(deliveries);
  deliveries.upsert = async (entity) => {
    await upsert(entity);
    if (entity.status === 'sent') onSent(entity);
  };
  deliveries.upsertAll = async (entities) => {
    // `TypedTable.upsertAll` writes a lone row through `this.upsert` (counted above): counting
    // it here too made every one-issue mail's row count twice, and a crash-window repeat of it
    // an "other duplicate" (issue 18's chaos runs). One row goes through `upsert` only.
    if (entities.length === 1) return deliveries.upsert(entities[0]!);
    await upsertAll(entities);
    for (const entity of entities) if (entity.status === 'sent') onSent(entity);
  };
}
