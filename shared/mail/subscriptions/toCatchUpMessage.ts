import type { SubscriptionEntity } from '../../platform/storage/subscriptions/subscriptionEntity';
import type { GraphNotificationMessage } from '../webhooks/graphNotificationMessage';
import type { MailResourceData } from '../webhooks/mailResourceDataSchema';

/** A listed mail as the `graph-notifications` message a webhook notification for it would have been. */
export function toCatchUpMessage(subscription: SubscriptionEntity, mail: MailResourceData, receivedAt: string): GraphNotificationMessage {
  return {
    version: 1,
    origin: 'catchUp',
    tenantId: subscription.tenantId,
    subscriptionId: subscription.subscriptionId,
    userId: subscription.userId,
    changeType: 'created',
    resource: `Users/${subscription.userId}/Messages/${mail.id}`,
    messageId: mail.id,
    receivedAt,
    resourceData: mail,
  };
}
