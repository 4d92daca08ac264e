import { authenticateItem } from './authenticateItem';
import { countDrop, type DropCounts } from './DropCounts';
import { LIFECYCLE_EVENTS, type GraphLifecycleMessage, type LifecycleEvent } from './graphLifecycleMessage';
import { lookupSubscriptions } from './lookupSubscriptions';
import { lifecycleNotificationSchema, type NotificationBatch } from './notificationBatchSchema';
import type { SubscriptionLookup } from './SubscriptionLookup';

export interface AcceptLifecycleNotificationsInit {
  batch: NotificationBatch;
  subscriptions: Pick<SubscriptionLookup, 'getAll'>;
  receivedAt: string;
}

export interface AcceptedLifecycleNotifications {
  messages: GraphLifecycleMessage[];
  dropped: DropCounts;
}

const isLifecycleEvent = (value: string): value is LifecycleEvent => (LIFECYCLE_EVENTS as readonly string[]).includes(value);

/**
 * The lifecycle counterpart of `acceptChangeNotifications`: ours, matching clientState, known
 * event, once per batch; the reads unknown ids can cost are bounded the same way.
 */
export async function acceptLifecycleNotifications(init: AcceptLifecycleNotificationsInit): Promise<AcceptedLifecycleNotifications> {
  const dropped: DropCounts = {};
  const messages: GraphLifecycleMessage[] = [];
  const seen = new Set<string>();
  const parsed = init.batch.value.map((raw) => lifecycleNotificationSchema.safeParse(raw));
  const snapshots = await lookupSubscriptions(
    init.subscriptions,
    parsed.flatMap((result) => (result.success ? [result.data] : [])),
  );

  for (const result of parsed) {
    if (!result.success) {
      countDrop(dropped, 'malformed');
      continue;
    }
    const item = result.data;
    const authentication = authenticateItem(snapshots, item);
    if (!authentication.ok) {
      countDrop(dropped, authentication.reason);
      continue;
    }
    const { subscription } = authentication;
    if (!isLifecycleEvent(item.lifecycleEvent)) {
      countDrop(dropped, 'unsupportedEvent');
      continue;
    }
    const key = `${item.subscriptionId}\n${item.lifecycleEvent}`;
    if (seen.has(key)) {
      countDrop(dropped, 'duplicate');
      continue;
    }
    seen.add(key);
    messages.push({
      version: 1,
      tenantId: subscription.tenantId,
      subscriptionId: subscription.subscriptionId,
      userId: subscription.userId,
      lifecycleEvent: item.lifecycleEvent,
      receivedAt: init.receivedAt,
    });
  }
  return { messages, dropped };
}
