import type { GraphApi } from '../graph/GraphApi';
import type { Clock } from '../../platform/clock';
import type { QueueSender } from '../../platform/storage/QueueSender';
import { queueNames } from '../../platform/storage/queueNames';
import type { SubscriptionRepository } from '../../platform/storage/subscriptions/SubscriptionRepository';
import type { SubscriptionEntity } from '../../platform/storage/subscriptions/subscriptionEntity';
import { advanceWatermark } from './advanceWatermark';
import { toCatchUpMessage } from './toCatchUpMessage';

/**
 * How far before the watermark a catch-up starts: the watermark is set from several places
 * (catch-up, the fan-out), clocks differ, and Graph's receivedDateTime has whole seconds.
 * Repeats are free (the fan-out de-duplicates); a gap would lose a mail.
 */
export const CATCH_UP_OVERLAP_MS = 10 * 60_000;

export interface CatchUpInit {
  graph: Pick<GraphApi, 'listMessagesSince'>;
  queues: Pick<QueueSender, 'sendMany'>;
  subscriptions: Pick<SubscriptionRepository, 'getVersioned' | 'update'>;
  clock: Clock;
  subscription: SubscriptionEntity;
}

/**
 * Puts every mail the mailbox received since the subscription's watermark on
 * `graph-notifications`, as if its notification had come, page by page, oldest first,
 * moving the watermark after each page is durably queued: a catch-up cut short (a
 * timeout, a 429) resumes where it stopped. Answers how many mails were queued.
 */
export async function catchUpMailbox(init: CatchUpInit): Promise<number> {
  const { subscription } = init;
  const start = Date.parse(subscription.watermark ?? subscription.createdAt) - CATCH_UP_OVERLAP_MS;
  const since = new Date(Math.floor(start / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  let queued = 0;
  for await (const page of init.graph.listMessagesSince(subscription.userId, since)) {
    if (page.length === 0) continue;
    const receivedAt = new Date(init.clock.now()).toISOString();
    await init.queues.sendMany(
      queueNames.graphNotifications,
      page.map((mail) => toCatchUpMessage(subscription, mail, receivedAt)),
    );
    queued += page.length;
    const latest = page.reduce<number>((max, mail) => Math.max(max, Date.parse(mail.receivedDateTime ?? '') || 0), 0);
    if (latest > 0) await advanceWatermark(init.subscriptions, subscription.subscriptionId, new Date(latest).toISOString());
  }
  return queued;
}
