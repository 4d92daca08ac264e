import type { DecryptionFailure, RichNotificationDecryptor } from './RichNotificationDecryptor';
import { authenticateItem } from './authenticateItem';
import { countDrop, type DropCounts } from './DropCounts';
import type { GraphNotificationMessage } from './graphNotificationMessage';
import { mailResourceDataSchema, type MailResourceData } from './mailResourceDataSchema';
import { messageIdOfResource } from './messageIdOfResource';
import { changeNotificationSchema, type ChangeNotification, type NotificationBatch } from './notificationBatchSchema';
import { lookupSubscriptions } from './lookupSubscriptions';
import type { SubscriptionLookup } from './SubscriptionLookup';
import type { ValidationTokenVerifier } from './ValidationTokenVerifier';

export interface AcceptChangeNotificationsInit {
  batch: NotificationBatch;
  subscriptions: Pick<SubscriptionLookup, 'getAll'>;
  validationTokens: Pick<ValidationTokenVerifier, 'trustedTenants'>;
  /** Absent when the deployment has no encryption certificate. */
  decryptor: Pick<RichNotificationDecryptor, 'decrypt'> | undefined;
  receivedAt: string;
}

export interface AcceptedNotifications {
  messages: GraphNotificationMessage[];
  dropped: DropCounts;
  /** Rich items whose certificate we no longer hold: enqueued without resource data. */
  unknownCertificate: number;
}

/**
 * Decides, per item, what of a notification batch may be enqueued: the subscription must
 * be ours and the clientState must match; encrypted content is read only when a verified
 * validation token vouches for the item's tenant and its signature holds. Duplicates
 * (same subscription, change type and resource) collapse to one, among accepted items
 * only, so a forged copy can never displace the genuine one. No I/O but the (cached)
 * subscription reads, bounded for ids we do not know (`SubscriptionLookup.getAll`: items of
 * ids left unread are dropped as unknown), and, for rich batches, the key set.
 */
export async function acceptChangeNotifications(init: AcceptChangeNotificationsInit): Promise<AcceptedNotifications> {
  const dropped: DropCounts = {};
  const items: ChangeNotification[] = [];
  for (const raw of init.batch.value) {
    const parsed = changeNotificationSchema.safeParse(raw);
    if (parsed.success) items.push(parsed.data);
    else countDrop(dropped, 'malformed');
  }

  const hasRichItems = items.some((item) => item.encryptedContent);
  const [snapshots, trust] = await Promise.all([
    lookupSubscriptions(init.subscriptions, items),
    hasRichItems && init.batch.validationTokens?.length ? init.validationTokens.trustedTenants(init.batch.validationTokens) : undefined,
  ]);

  const messages: GraphNotificationMessage[] = [];
  const seen = new Set<string>();
  let unknownCertificate = 0;
  for (const item of items) {
    const authentication = authenticateItem(snapshots, item);
    if (!authentication.ok) {
      countDrop(dropped, authentication.reason);
      continue;
    }
    const { subscription } = authentication;
    const messageId = item.resourceData?.id ?? messageIdOfResource(item.resource);
    if (!messageId) {
      countDrop(dropped, 'malformed');
      continue;
    }

    let resourceData: MailResourceData | undefined;
    if (item.encryptedContent) {
      if (!trust?.tenants.has(subscription.tenantId.toLowerCase())) {
        countDrop(dropped, 'untrustedRichContent');
        continue;
      }
      const result = decryptResource(init.decryptor, item, messageId);
      if (result === 'unknown_certificate') {
        unknownCertificate += 1;
      } else if (typeof result === 'string') {
        countDrop(dropped, 'undecryptable');
        continue;
      } else {
        resourceData = result;
      }
    }

    const key = `${item.subscriptionId}\n${item.changeType}\n${item.resource}`;
    if (seen.has(key)) {
      countDrop(dropped, 'duplicate');
      continue;
    }
    seen.add(key);
    messages.push({
      version: 1,
      origin: 'webhook',
      tenantId: subscription.tenantId,
      subscriptionId: subscription.subscriptionId,
      userId: subscription.userId,
      changeType: item.changeType,
      resource: item.resource,
      messageId,
      receivedAt: init.receivedAt,
      ...(resourceData ? { resourceData } : {}),
    });
  }
  return { messages, dropped, unknownCertificate };
}

function decryptResource(
  decryptor: AcceptChangeNotificationsInit['decryptor'],
  item: ChangeNotification,
  messageId: string,
): MailResourceData | DecryptionFailure {
  if (!decryptor || !item.encryptedContent) return 'unknown_certificate';
  const result = decryptor.decrypt(item.encryptedContent);
  if (!result.ok) return result.reason;
  const parsed = mailResourceDataSchema.safeParse(result.value);
  // The decrypted mail must be the one the notification names, or the pairing was forged.
  if (!parsed.success || parsed.data.id !== messageId) return 'bad_data';
  return parsed.data;
}
