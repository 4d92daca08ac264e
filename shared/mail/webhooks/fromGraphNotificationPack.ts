import type { GraphNotificationMessage } from './graphNotificationMessage';
import type { GraphNotificationPack } from './graphNotificationPack';

/** The pack's notifications as the version 1 messages they stand for, in order. */
export function fromGraphNotificationPack(pack: GraphNotificationPack): GraphNotificationMessage[] {
  return pack.items.map((item) => ({
    version: 1,
    origin: pack.origin,
    tenantId: pack.tenantId,
    receivedAt: pack.receivedAt,
    ...item,
  }));
}
