import type { UserDirectory } from '../mail/graph/UserDirectory';
import { fromJiraNotifyPack } from '../mail/fanout/fromJiraNotifyPack';
import { jiraNotifyQueueMessageSchema } from '../mail/fanout/jiraNotifyPack';
import { fromGraphNotificationPack } from '../mail/webhooks/fromGraphNotificationPack';
import { graphNotificationsQueueMessageSchema } from '../mail/webhooks/graphNotificationPack';
import type { DeliveryRepository } from '../platform/storage/deliveries/DeliveryRepository';
import type { DeliveryEntity } from '../platform/storage/deliveries/deliveryEntity';
import type { QueueAdmin } from '../platform/storage/QueueAdmin';
import { poisonQueueName, queueNames } from '../platform/storage/queueNames';
import type { TrailDropReason, TrailIssueState } from '../platform/storage/trails/mailTrailEntity';
import type { MailTrailRepository } from '../platform/storage/trails/MailTrailRepository';
import { POISON_PEEK_LIMIT } from './buildActivityReport';
import { toPanelUser, type PanelUser } from './PanelUser';

/** The notify step's record as the trail shows it: the delivery row without its keys and lease. */
export type TrailDelivery = Pick<DeliveryEntity, 'status' | 'attempts' | 'lastStatus' | 'reason' | 'watchers' | 'recipients' | 'updatedAt'>;

export interface TrailIssueStep {
  instanceId: string;
  issueKey: string;
  /** What the fan-out did: queued a notification, found one already handled, or skipped a stale link. */
  fanOut: TrailIssueState;
  /** The notify step's record, once it ran. */
  delivery?: TrailDelivery;
  /** The notification sits in `jira-notify-poison` (among the first messages a peek sees). */
  poisoned: boolean;
}

export interface TrailMail {
  mailboxUserId: string;
  /** The mailbox owner's name and address from the directory, when it could say. */
  mailboxUser?: PanelUser;
  messageId: string;
  subscriptionId: string;
  receivedAt: string;
  internetMessageId?: string;
  conversationId?: string;
  /** `poisoned`: the fan-out itself gave up on it; the message sits in `graph-notifications-poison`. */
  outcome: 'dropped' | 'matched' | 'poisoned';
  reason?: TrailDropReason;
  issues: TrailIssueStep[];
}

export interface MailTrail {
  /** Most recent first. */
  mails: TrailMail[];
  /** More mails matched than `MAX_TRAIL_MAILS`. */
  truncated: boolean;
}

export interface MailTrailDeps {
  trails: Pick<MailTrailRepository, 'listByAnyId'>;
  deliveries: Pick<DeliveryRepository, 'listByMessage'>;
  queues: Pick<QueueAdmin, 'peek'>;
  users: Pick<UserDirectory, 'resolve'>;
}

/** A conversation can hold many mails; the panel shows the latest. */
export const MAX_TRAIL_MAILS = 25;

/**
 * "Why was I, or wasn't I, notified?": the tenant's mails whose Graph message id,
 * internetMessageId or conversation id is `id`, each with the fan-out's verdict and, per
 * linked issue, the notify step's record (watchers, who was notified, failures and
 * retries) and whether it sits in a poison queue. Ids, times, counts, Jira user names and
 * reason codes: never what a mail said.
 */
export async function loadMailTrail(tenantId: string, id: string, deps: MailTrailDeps): Promise<MailTrail> {
  const rows = [];
  for await (const row of deps.trails.listByAnyId(tenantId, id)) rows.push(row);
  rows.sort((a, b) => Date.parse(b.receivedAt) - Date.parse(a.receivedAt));
  const kept = rows.slice(0, MAX_TRAIL_MAILS);
  const poison = await peekPoison(tenantId, deps.queues);

  const mails: TrailMail[] = [];
  for (const row of kept) {
    const deliveries = new Map<string, TrailDelivery>();
    if (row.internetMessageId !== undefined && row.issues.length > 0)
      for await (const delivery of deps.deliveries.listByMessage(tenantId, row.internetMessageId))
        deliveries.set(issueId(delivery.instanceId, delivery.issueKey), {
          status: delivery.status,
          attempts: delivery.attempts,
          ...(delivery.lastStatus === undefined ? {} : { lastStatus: delivery.lastStatus }),
          ...(delivery.reason === undefined ? {} : { reason: delivery.reason }),
          ...(delivery.watchers === undefined ? {} : { watchers: delivery.watchers }),
          ...(delivery.recipients === undefined ? {} : { recipients: delivery.recipients }),
          updatedAt: delivery.updatedAt,
        });
    mails.push({
      mailboxUserId: row.userId,
      messageId: row.messageId,
      subscriptionId: row.subscriptionId,
      receivedAt: row.receivedAt,
      ...(row.internetMessageId === undefined ? {} : { internetMessageId: row.internetMessageId }),
      ...(row.conversationId === undefined ? {} : { conversationId: row.conversationId }),
      outcome: row.outcome,
      ...(row.reason === undefined ? {} : { reason: row.reason }),
      issues: row.issues.map((issue) => {
        const delivery = deliveries.get(issueId(issue.instanceId, issue.issueKey));
        return {
          instanceId: issue.instanceId,
          issueKey: issue.issueKey,
          fanOut: issue.state,
          ...(delivery ? { delivery } : {}),
          poisoned:
            row.internetMessageId !== undefined && poison.notify.has(notifyId(row.internetMessageId, issue.instanceId, issue.issueKey)),
        };
      }),
    });
  }
  // A mail the fan-out gave up on has no trail row: the poison queue is its trail.
  for (const stuck of poison.fanOut)
    if (stuck.messageId === id && !mails.some((mail) => mail.messageId === stuck.messageId && mail.mailboxUserId === stuck.userId))
      mails.push({
        mailboxUserId: stuck.userId,
        messageId: stuck.messageId,
        subscriptionId: stuck.subscriptionId,
        receivedAt: stuck.receivedAt,
        outcome: 'poisoned',
        issues: [],
      });
  const users = await deps.users.resolve(
    tenantId,
    mails.map((mail) => mail.mailboxUserId),
  );
  const named = mails.map((mail) => {
    const user = toPanelUser(users.get(mail.mailboxUserId));
    return user ? { ...mail, mailboxUser: user } : mail;
  });
  return { mails: named, truncated: rows.length > kept.length };
}

/** The tenant's messages among the first of each poison queue: peeked, never moved or hidden. */
async function peekPoison(tenantId: string, queues: Pick<QueueAdmin, 'peek'>) {
  const [notify, fanOut] = await Promise.all([
    queues.peek(poisonQueueName(queueNames.jiraNotify), POISON_PEEK_LIMIT),
    queues.peek(poisonQueueName(queueNames.graphNotifications), POISON_PEEK_LIMIT),
  ]);
  const notifyIds = new Set<string>();
  // A pack sits there whole when even putting its failed items back failed: each of its items is stuck.
  for (const message of notify) {
    const parsed = jiraNotifyQueueMessageSchema.safeParse(message.body);
    if (!parsed.success || parsed.data.tenantId !== tenantId) continue;
    for (const item of parsed.data.version === 1 ? [parsed.data] : fromJiraNotifyPack(parsed.data))
      notifyIds.add(notifyId(item.mail.internetMessageId, item.instanceId, item.issueKey));
  }
  const stuck = fanOut.flatMap((message) => {
    const parsed = graphNotificationsQueueMessageSchema.safeParse(message.body);
    if (!parsed.success || parsed.data.tenantId !== tenantId) return [];
    return parsed.data.version === 1 ? [parsed.data] : fromGraphNotificationPack(parsed.data);
  });
  return { notify: notifyIds, fanOut: stuck };
}

function issueId(instanceId: string, issueKey: string): string {
  return `${instanceId}\n${issueKey}`;
}

function notifyId(internetMessageId: string, instanceId: string, issueKey: string): string {
  return `${internetMessageId}\n${issueId(instanceId, issueKey)}`;
}
