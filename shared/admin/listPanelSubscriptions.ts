import type { UserDirectory } from '../mail/graph/UserDirectory';
import type { ListEnvelope, ListPageRequest } from '../platform/paging/ListEnvelope';
import type { ListPager } from '../platform/paging/ListPager';
import { timeKey } from '../platform/paging/timeKey';
import type { MailboxRepository } from '../platform/storage/mailboxes/MailboxRepository';
import type { SubscriptionRepository } from '../platform/storage/subscriptions/SubscriptionRepository';
import { toPanelUser, type PanelUser } from './PanelUser';

export interface PanelSubscription {
  /** The mailbox owner's object id. */
  userId: string;
  /** The owner's name and address from the directory, when it could say. */
  user?: PanelUser;
  subscriptionId: string;
  /**
   * `active`, `reauthorizationRequired`, … as the subscription features set it. A row exists
   * only once Graph created the subscription, and only a lifecycle event changes its state:
   * a row that never recorded one (written before states were) is `active`. Whether it
   * expired is `expired`, beside.
   */
  state: string;
  /** True when the mailbox's row points at another subscription: this one is left over and not renewed. */
  superseded: boolean;
  expiresAt: string;
  expired: boolean;
  createdAt: string;
  renewedAt?: string;
  /** When the last notification of the mailbox was processed. */
  lastNotificationAt?: string;
}

export interface PanelSubscriptions extends ListEnvelope<PanelSubscription> {
  /** Distinct mailboxes with a subscription or a mailbox row. */
  mailboxes: number;
  /** The tenant has more subscriptions than were read (`maxRows`): the pages hold the first ones. */
  truncated: boolean;
}

/**
 * The tenant's mailboxes and their Graph subscriptions, a page at a time, soonest expiry
 * first: ids and times, and the owners of the page's mailboxes named from the directory.
 */
export async function listPanelSubscriptions(
  request: { tenantId: string; nowMs: number; page: ListPageRequest; maxRows?: number },
  deps: {
    subscriptions: Pick<SubscriptionRepository, 'listByTenant'>;
    mailboxes: Pick<MailboxRepository, 'listByTenant'>;
    pager: Pick<ListPager, 'page'>;
    users: Pick<UserDirectory, 'resolve'>;
  },
): Promise<PanelSubscriptions> {
  const { tenantId, nowMs } = request;
  const limit = request.maxRows ?? 5_000;
  const currentOf = new Map<string, string>();
  for await (const mailbox of deps.mailboxes.listByTenant(tenantId)) currentOf.set(mailbox.userId, mailbox.subscriptionId);
  const mailboxes = new Set(currentOf.keys());
  const subscriptions: PanelSubscription[] = [];
  let truncated = false;
  for await (const row of deps.subscriptions.listByTenant(tenantId)) {
    mailboxes.add(row.userId);
    if (subscriptions.length >= limit) {
      truncated = true;
      break;
    }
    subscriptions.push({
      userId: row.userId,
      subscriptionId: row.subscriptionId,
      state: row.state ?? 'active',
      superseded: currentOf.has(row.userId) && currentOf.get(row.userId) !== row.subscriptionId,
      expiresAt: row.expiresAt,
      expired: Date.parse(row.expiresAt) <= nowMs,
      createdAt: row.createdAt,
      ...(row.renewedAt === undefined ? {} : { renewedAt: row.renewedAt }),
      ...(row.watermark === undefined ? {} : { lastNotificationAt: row.watermark }),
    });
  }
  const page = deps.pager.page(
    subscriptions,
    { ...request.page, scope: `panel/subscriptions\n${tenantId}` },
    (subscription) => `${timeKey(subscription.expiresAt)}\n${subscription.subscriptionId}`,
  );
  // Only the page's owners: a tenant of thousands of mailboxes is not looked up at once.
  const users = await deps.users.resolve(
    tenantId,
    page.items.map((subscription) => subscription.userId),
  );
  const items = page.items.map((subscription) => {
    const user = toPanelUser(users.get(subscription.userId));
    return user ? { ...subscription, user } : subscription;
  });
  return { ...page, items, mailboxes: mailboxes.size, truncated };
}
