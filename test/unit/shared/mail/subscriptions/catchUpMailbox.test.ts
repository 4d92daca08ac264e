import { CATCH_UP_OVERLAP_MS, catchUpMailbox, type CatchUpInit } from '../../../../../shared/mail/subscriptions/catchUpMailbox';
import type { MailResourceData } from '../../../../../shared/mail/webhooks/mailResourceDataSchema';
import { fromGraphNotificationPack } from '../../../../../shared/mail/webhooks/fromGraphNotificationPack';
import { graphNotificationsQueueMessageSchema } from '../../../../../shared/mail/webhooks/graphNotificationPack';
import type { SubscriptionEntity } from '../../../../../shared/platform/storage/subscriptions/subscriptionEntity';

const HOUR = 3600_000;
const NOW = Date.parse('2030-01-10T12:00:00.000Z');

const subscription: SubscriptionEntity = {
  subscriptionId: 'sub-1',
  tenantId: 'tenant-1',
  userId: 'user-1',
  resource: 'users/user-1/messages',
  clientStateHash: 'hash',
  expiresAt: '2030-01-12T00:00:00.000Z',
  createdAt: '2030-01-01T00:00:00.000Z',
  // The last processed mail: an hour ago. Nothing may start from it.
  watermark: new Date(NOW - HOUR).toISOString(),
  completeUntil: new Date(NOW - 48 * HOUR).toISOString(),
};

const mailAt = (iso: string, id: string): MailResourceData => ({ id, conversationId: 'c', receivedDateTime: iso });

/** The catch-up against a listing of `pages` and an in-memory subscription row; what it asked, queued and wrote. */
async function run(pages: (MailResourceData[] | string)[], overrides: Partial<SubscriptionEntity> = {}, maxLookbackMs = 15 * 24 * HOUR) {
  let row: SubscriptionEntity = { ...subscription, ...overrides };
  let etag = 1;
  const asked: string[] = [];
  const queued: string[] = [];
  /** Queue messages per page: a pack carries several mails. */
  const writes: number[] = [];
  const init: CatchUpInit = {
    graph: {
      listMessagesSince: (_userId, since) => {
        asked.push(since);
        return (async function* () {
          for (const page of pages) {
            if (typeof page === 'string') throw new Error(page);
            yield page;
          }
        })();
      },
    },
    queues: {
      sendMany: async (_queue, messages) => {
        writes.push(messages.length);
        for (const message of messages) {
          const parsed = graphNotificationsQueueMessageSchema.parse(message);
          for (const item of parsed.version === 1 ? [parsed] : fromGraphNotificationPack(parsed)) {
            expect(item).toMatchObject({ origin: 'catchUp', tenantId: subscription.tenantId, userId: subscription.userId });
            queued.push(item.messageId);
          }
        }
      },
    },
    subscriptions: {
      getVersioned: async () => ({ entity: row, etag: String(etag) }),
      update: async (entity, expected) => {
        if (expected !== String(etag)) return false;
        row = entity;
        etag += 1;
        return true;
      },
    },
    clock: { now: () => NOW },
    subscription: row,
    maxLookbackMs,
  };
  const count = await catchUpMailbox(init).catch((error: unknown) => (error instanceof Error ? error.message : 'failed'));
  return { count, asked, queued, writes, row: () => row };
}

describe('catchUpMailbox', () => {
  test('lists from the low-water mark (less the overlap), not from the last processed mail, and ends complete up to its start', async () => {
    const pages = [[mailAt('2030-01-08T12:30:00Z', 'm1'), mailAt('2030-01-09T09:00:00Z', 'm2')], [mailAt('2030-01-10T11:30:00Z', 'm3')]];
    const { count, asked, queued, writes, row } = await run(pages);
    expect(asked).toEqual([new Date(NOW - 48 * HOUR - CATCH_UP_OVERLAP_MS).toISOString().replace('.000Z', 'Z')]);
    expect(count).toBe(3);
    expect(queued).toEqual(['m1', 'm2', 'm3']);
    // The two mails of the first page in one message.
    expect(writes).toEqual([1, 1]);
    expect(row().completeUntil).toBe(new Date(NOW).toISOString());
    // The last mail listed is later than the last one processed: the panel's "last notification" moves too.
    expect(row().watermark).toBe('2030-01-10T11:30:00.000Z');
  });

  test('a row from before the mark starts at its creation; the lookback is capped so the ledger still knows what is listed again', async () => {
    const { asked } = await run([], { completeUntil: undefined, createdAt: new Date(NOW - 5 * HOUR).toISOString() });
    expect(asked).toEqual([new Date(NOW - 5 * HOUR - CATCH_UP_OVERLAP_MS).toISOString().replace('.000Z', 'Z')]);
    const capped = await run([], { completeUntil: '2029-01-01T00:00:00.000Z' }, 24 * HOUR);
    expect(capped.asked).toEqual([new Date(NOW - 24 * HOUR - CATCH_UP_OVERLAP_MS).toISOString().replace('.000Z', 'Z')]);
  });

  test('cut short, it has moved the mark page by page, so the next one resumes there', async () => {
    const { count, row } = await run([[mailAt('2030-01-09T09:00:00Z', 'm1')], 'Graph throttled the second page']);
    expect(count).toBe('Graph throttled the second page');
    expect(row().completeUntil).toBe('2030-01-09T09:00:00.000Z');
    expect(row().watermark).toBe(new Date(NOW - HOUR).toISOString());
  });

  test('a mail dated after the listing began moves the watermark, but the low-water mark no further than the start', async () => {
    const { row } = await run([[mailAt('2030-01-10T13:00:00Z', 'future')]]);
    expect(row().completeUntil).toBe(new Date(NOW).toISOString());
    expect(row().watermark).toBe('2030-01-10T13:00:00.000Z');
  });
});
