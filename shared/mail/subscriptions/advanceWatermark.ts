import type { SubscriptionRepository } from '../../platform/storage/subscriptions/SubscriptionRepository';
import { updateSubscription } from './updateSubscription';

/**
 * Moves a subscription's watermark (where a catch-up starts) forward to `at`, never back:
 * the time of the latest mail known to be durably queued or processed. For catch-up here
 * and for the fan-out once it has processed a notification.
 */
export async function advanceWatermark(
  repository: Pick<SubscriptionRepository, 'getVersioned' | 'update'>,
  subscriptionId: string,
  at: string,
): Promise<void> {
  const time = Date.parse(at);
  if (Number.isNaN(time)) return;
  await updateSubscription(repository, subscriptionId, (current) =>
    current.watermark !== undefined && Date.parse(current.watermark) >= time
      ? undefined
      : { ...current, watermark: new Date(time).toISOString() },
  );
}
