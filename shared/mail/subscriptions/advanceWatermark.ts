import type { SubscriptionRepository } from '../../platform/storage/subscriptions/SubscriptionRepository';
import type { SubscriptionEntity } from '../../platform/storage/subscriptions/subscriptionEntity';
import { updateSubscription } from './updateSubscription';

/** The two times a subscription row keeps about its mail. */
export type SubscriptionMark = 'watermark' | 'completeUntil';

/**
 * Moves a subscription's watermark (the time of the latest mail processed) forward to
 * `at`, never back: for the fan-out once it has processed a notification.
 */
export async function advanceWatermark(
  repository: Pick<SubscriptionRepository, 'getVersioned' | 'update'>,
  subscriptionId: string,
  at: string,
): Promise<void> {
  await advanceMarks(repository, subscriptionId, { watermark: at });
}

/**
 * Moves marks of a subscription forward, never back, in one conditional write:
 * `watermark`, and `completeUntil` (the time before which every mail is known to be
 * queued), which only a catch-up moves.
 */
export async function advanceMarks(
  repository: Pick<SubscriptionRepository, 'getVersioned' | 'update'>,
  subscriptionId: string,
  marks: Partial<Record<SubscriptionMark, string>>,
): Promise<void> {
  const wanted = (Object.entries(marks) as [SubscriptionMark, string][])
    .map(([mark, at]) => [mark, Date.parse(at)] as const)
    .filter(([, time]) => !Number.isNaN(time));
  if (wanted.length === 0) return;
  await updateSubscription(repository, subscriptionId, (current) => {
    const next: SubscriptionEntity = { ...current };
    let moved = false;
    for (const [mark, time] of wanted) {
      const was = current[mark];
      if (was !== undefined && Date.parse(was) >= time) continue;
      next[mark] = new Date(time).toISOString();
      moved = true;
    }
    return moved ? next : undefined;
  });
}
