import { AppError } from '../../platform/errors/AppError';
import type { SubscriptionRepository } from '../../platform/storage/subscriptions/SubscriptionRepository';
import type { SubscriptionEntity } from '../../platform/storage/subscriptions/subscriptionEntity';

/**
 * Read-modify-write of one subscription row with its ETag, so the renewal timer, a
 * lifecycle event and the fan-out moving the watermark never overwrite each other.
 * `change` answers undefined to leave the row as it is. Undefined when there is no row.
 */
export async function updateSubscription(
  repository: Pick<SubscriptionRepository, 'getVersioned' | 'update'>,
  subscriptionId: string,
  change: (current: SubscriptionEntity) => SubscriptionEntity | undefined,
): Promise<SubscriptionEntity | undefined> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const current = await repository.getVersioned({ subscriptionId });
    if (!current) return undefined;
    const next = change(current.entity);
    if (!next) return current.entity;
    if (await repository.update(next, current.etag)) return next;
  }
  throw new AppError({ code: 'conflict', detail: 'the subscription row kept changing while it was updated' });
}
