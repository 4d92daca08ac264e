import { packQueueMessages } from '../../platform/storage/packQueueMessages';
import { fromGraphNotificationPack } from './fromGraphNotificationPack';
import type { GraphNotificationMessage } from './graphNotificationMessage';
import type { GraphNotificationPack } from './graphNotificationPack';

/**
 * The queue messages for a webhook POST's accepted notifications: those of one tenant (and
 * arrival) packed into as few messages as fit, in order. A notification with nobody to
 * share a message with stays a version 1 message: the smaller one, and the format every
 * tool reading the queues knows.
 */
export function toGraphNotificationPacks(
  messages: readonly GraphNotificationMessage[],
): (GraphNotificationMessage | GraphNotificationPack)[] {
  const groups = new Map<string, GraphNotificationMessage[]>();
  for (const message of messages) {
    const key = `${message.tenantId}\n${message.origin}\n${message.receivedAt}`;
    const group = groups.get(key);
    if (group) group.push(message);
    else groups.set(key, [message]);
  }
  return [...groups.values()].flatMap((group) => {
    const first = group[0] as GraphNotificationMessage;
    const packs = packQueueMessages(
      group.map(
        ({ version: _version, traceparent: _traceparent, origin: _origin, tenantId: _tenantId, receivedAt: _receivedAt, ...item }) => item,
      ),
      (items): GraphNotificationPack => ({
        version: 2,
        origin: first.origin,
        tenantId: first.tenantId,
        receivedAt: first.receivedAt,
        items,
      }),
    );
    return packs.map((pack) => (pack.items.length === 1 ? (fromGraphNotificationPack(pack)[0] as GraphNotificationMessage) : pack));
  });
}
