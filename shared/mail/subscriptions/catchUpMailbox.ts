import type { GraphApi } from '../graph/GraphApi';
import type { Clock } from '../../platform/clock';
import type { QueueSender } from '../../platform/storage/QueueSender';
import { queueNames } from '../../platform/storage/queueNames';
import type { SubscriptionRepository } from '../../platform/storage/subscriptions/SubscriptionRepository';
import type { SubscriptionEntity } from '../../platform/storage/subscriptions/subscriptionEntity';
import { toGraphNotificationPacks } from '../webhooks/toGraphNotificationPacks';
import { advanceMarks } from './advanceWatermark';
import { toCatchUpMessage } from './toCatchUpMessage';

/**
 * How far before the low-water mark a catch-up starts: the mark is set from our clock,
 * Graph's receivedDateTime has whole seconds and comes from Graph's, and a mail can be
 * listed a little after the time it says it was received. Repeats are free (the
 * deliveries ledger and the fan-out's already-delivered check); a gap would lose a mail.
 */
export const CATCH_UP_OVERLAP_MS = 10 * 60_000;

export interface CatchUpInit {
  graph: Pick<GraphApi, 'listMessagesSince'>;
  queues: Pick<QueueSender, 'sendMany'>;
  subscriptions: Pick<SubscriptionRepository, 'getVersioned' | 'update'>;
  clock: Clock;
  subscription: SubscriptionEntity;
  /**
   * How far back a catch-up may list at most: what it lists again must still be in the
   * deliveries ledger (`DELIVERY_RETENTION`), or a repeat would be a second notification.
   */
  maxLookbackMs: number;
}

/**
 * Puts every mail the mailbox received since the subscription was last known complete
 * (`completeUntil`, the low-water mark) on `graph-notifications`, as if its notification
 * had come, page by page, oldest first. Not since the last processed mail: Graph drops a
 * notification and still delivers later ones, so the latest mail seen says nothing about
 * the ones before it. Each page goes as packed messages (`toGraphNotificationPacks`). The mark moves after each page is durably queued (a catch-up cut
 * short by a timeout or a 429 resumes where it stopped), and at the end to the time the
 * listing began: everything received before then was listed. Answers how many mails were
 * queued.
 */
export async function catchUpMailbox(init: CatchUpInit): Promise<number> {
  const { subscription } = init;
  const began = init.clock.now();
  const complete = Date.parse(subscription.completeUntil ?? subscription.createdAt);
  const start = Math.max(complete, began - init.maxLookbackMs) - CATCH_UP_OVERLAP_MS;
  const since = new Date(Math.floor(start / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  let queued = 0;
  for await (const page of init.graph.listMessagesSince(subscription.userId, since)) {
    if (page.length === 0) continue;
    const receivedAt = new Date(init.clock.now()).toISOString();
    // One page is one mailbox's mail of one listing: packed like a webhook POST's notifications,
    // a queue write and a delete per pack instead of per mail (each mail still handled, retried
    // and poisoned on its own): what a catch-up lists again costs the fan-out's reads, not two queue requests a mail.
    await init.queues.sendMany(
      queueNames.graphNotifications,
      toGraphNotificationPacks(page.map((mail) => toCatchUpMessage(subscription, mail, receivedAt))),
    );
    queued += page.length;
    const latest = page.reduce<number>((max, mail) => Math.max(max, Date.parse(mail.receivedDateTime ?? '') || 0), 0);
    if (latest > 0) {
      await advanceMarks(init.subscriptions, subscription.subscriptionId, {
        // A mail dated after the listing began (clocks differ) must not move the mark past it.
        completeUntil: new Date(Math.min(latest, began)).toISOString(),
        watermark: new Date(latest).toISOString(),
      });
    }
  }
  await advanceMarks(init.subscriptions, subscription.subscriptionId, { completeUntil: new Date(began).toISOString() });
  return queued;
}
