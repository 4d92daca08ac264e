import type { SubscriptionRepository } from '../../platform/storage/subscriptions/SubscriptionRepository';
import type { GraphLifecycleMessage } from '../webhooks/graphLifecycleMessage';
import type { SubscriptionManager } from './SubscriptionManager';
import { updateSubscription } from './updateSubscription';

export type LifecycleResult = 'renewed' | 'recreated' | 'removed' | 'caughtUp' | 'unknownSubscription';

export interface HandleLifecycleInit {
  manager: Pick<SubscriptionManager, 'renew' | 'recreate' | 'catchUp'>;
  subscriptions: Pick<SubscriptionRepository, 'get' | 'getVersioned' | 'update'>;
  message: GraphLifecycleMessage;
}

/**
 * What each lifecycle event asks of us (learn.microsoft.com, "Reduce missing subscriptions
 * and change notifications"): `reauthorizationRequired` → renew (which reauthorizes an
 * app-only subscription), `subscriptionRemoved` → recreate and catch up, `missed` → catch
 * up. A subscription we no longer have (removed since, or a repeat of an event already
 * handled) needs nothing.
 */
export async function handleLifecycleMessage(init: HandleLifecycleInit): Promise<{ result: LifecycleResult; caughtUp?: number }> {
  const { message, manager } = init;
  const subscription = await init.subscriptions.get({ subscriptionId: message.subscriptionId });
  if (!subscription) return { result: 'unknownSubscription' };
  switch (message.lifecycleEvent) {
    case 'reauthorizationRequired': {
      await updateSubscription(init.subscriptions, subscription.subscriptionId, (current) => ({
        ...current,
        state: 'reauthorizationRequired',
      }));
      return { result: (await manager.renew(subscription)).outcome };
    }
    case 'subscriptionRemoved':
      return { result: (await manager.recreate(subscription)).outcome };
    case 'missed':
      return { result: 'caughtUp', caughtUp: await manager.catchUp(subscription) };
  }
}
