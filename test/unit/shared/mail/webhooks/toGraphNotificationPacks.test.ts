import { fromGraphNotificationPack } from '../../../../../shared/mail/webhooks/fromGraphNotificationPack';
import type { GraphNotificationMessage } from '../../../../../shared/mail/webhooks/graphNotificationMessage';
import { graphNotificationsQueueMessageSchema } from '../../../../../shared/mail/webhooks/graphNotificationPack';
import { toGraphNotificationPacks } from '../../../../../shared/mail/webhooks/toGraphNotificationPacks';
import { encodeQueueMessage } from '../../../../../shared/platform/storage/queueMessageCodec';

const tenantA = '0f6d5c1e-4a59-4c3b-9d2f-3a1f6c1d2e77';
const tenantB = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const receivedAt = '2026-12-03T10:00:00.000Z';

function notification(tenantId: string, i: number, extra: Partial<GraphNotificationMessage> = {}): GraphNotificationMessage {
  const messageId = `AAMkAG${String(i).padStart(146, 'x')}/+=`;
  return {
    version: 1,
    origin: 'webhook',
    tenantId,
    subscriptionId: `sub-${tenantId}`,
    userId: `user-${tenantId}`,
    changeType: 'created',
    resource: `Users/user-${tenantId}/Messages/${messageId}`,
    messageId,
    receivedAt,
    ...extra,
  };
}

describe('toGraphNotificationPacks', () => {
  it("packs a tenant's notifications of one POST in order, and unpacks them to exactly what was accepted", () => {
    const accepted = [
      notification(tenantA, 1),
      notification(tenantB, 2),
      notification(tenantA, 3, { resourceData: { id: 'x', subject: 'Hello', internetMessageId: '<a@b>' } }),
      notification(tenantA, 4),
    ];
    const messages = toGraphNotificationPacks(accepted);
    expect(messages).toHaveLength(2);
    const [packA, single] = messages.map((message) => graphNotificationsQueueMessageSchema.parse(JSON.parse(JSON.stringify(message))));
    expect(packA).toMatchObject({ version: 2, tenantId: tenantA, origin: 'webhook', receivedAt });
    expect(packA?.version === 2 && fromGraphNotificationPack(packA)).toEqual([accepted[0], accepted[2], accepted[3]]);
    // Alone in its group: the version 1 message every reader of the queue knows.
    expect(single).toEqual(accepted[1]);
  });

  it('splits a large POST into messages a queue takes, the items still in order', () => {
    const accepted = Array.from({ length: 300 }, (_, i) => notification(tenantA, i));
    const messages = toGraphNotificationPacks(accepted);
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.length).toBeLessThanOrEqual(6);
    const items = messages.flatMap((message) => {
      expect(() => encodeQueueMessage(message)).not.toThrow();
      const parsed = graphNotificationsQueueMessageSchema.parse(message);
      return parsed.version === 2 ? fromGraphNotificationPack(parsed) : [parsed];
    });
    expect(items).toEqual(accepted);
  });
});
