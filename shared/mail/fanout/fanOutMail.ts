import { isAppError } from '../../platform/errors/AppError';
import { retryAfterOf } from '../graph/throttledError';
import type { Clock } from '../../platform/clock';
import type { DeliveryRepository } from '../../platform/storage/deliveries/DeliveryRepository';
import type { LinkEntity } from '../../platform/storage/links/linkEntity';
import type { LinkRepository } from '../../platform/storage/links/LinkRepository';
import type { TrailIssue, TrailIssueState } from '../../platform/storage/trails/mailTrailEntity';
import type { MailTrailRepository } from '../../platform/storage/trails/MailTrailRepository';
import { linkMailboxOf } from '../links/linkMailboxOf';
import type { GraphNotificationMessage } from '../webhooks/graphNotificationMessage';
import type { MailResourceData } from '../webhooks/mailResourceDataSchema';
import type { JiraNotifyMessage } from './jiraNotifyMessage';
import { isProbeDue } from './markLinkStale';
import { suppressionReason, type SuppressionReason } from './suppressionReason';
import { toNotifiedMail } from './toNotifiedMail';
import type { WatermarkAdvancer } from './WatermarkAdvancer';

export interface FanOutMailDeps {
  /** Reads the mail through Graph (`$select` of the needed fields); throws AppErrors. */
  readMail(tenantId: string, userId: string, messageId: string): Promise<MailResourceData>;
  links: Pick<LinkRepository, 'listByConversation'>;
  /** Read for a catch-up only (`deliveredIssues`). */
  deliveries: Pick<DeliveryRepository, 'listByMessage'>;
  /** Puts the messages on `jira-notify`; all durably queued when it returns. */
  enqueue(messages: JiraNotifyMessage[]): Promise<void>;
  /** Puts the `graph-notifications` message back, visible after the delay (Graph throttled us). */
  requeue(message: GraphNotificationMessage, delaySeconds: number): Promise<void>;
  watermarks: Pick<WatermarkAdvancer, 'advance'>;
  clock: Clock;
  maxDelaySeconds: number;
  /** Told when the watermark could not be moved: worth a warning, not a retry. */
  onWatermarkError?(error: unknown): void;
  /** Where the mail's trail is written, one row per mail handled (not for a throttled try). */
  trails?: Pick<MailTrailRepository, 'upsert'>;
  /** Told when the trail could not be written: the trail is for the admin, it never fails the mail. */
  onTrailError?(error: unknown): void;
}

/** What the fan-out learnt of the mail on its way, for the trail. */
interface TrailFacts {
  internetMessageId?: string;
  conversationId?: string;
  issues: TrailIssue[];
}

/** Graph's `receivedDateTime` and our clock may differ a little; whole seconds too. */
const LINKED_AT_SKEW_MS = 60_000;

export type FanOutResult =
  | { kind: 'ignored'; reason: 'changeType' | 'noConversation' | 'mailGone' }
  | { kind: 'suppressed'; reason: SuppressionReason }
  | { kind: 'notLinked' }
  | { kind: 'enqueued'; issues: number; alreadyDelivered: number; staleLinks: number }
  | { kind: 'requeued'; delaySeconds: number };

/**
 * One `graph-notifications` message: the mail (from the rich notification or catch-up
 * listing, else read from Graph), its conversation's links (one partition read: most mails
 * are in no linked conversation and stop here) that the mailbox's owner made before the
 * mail arrived, then one `jira-notify` message per linked issue whose link is live or due
 * for a probe. A mail that reached several mailboxes of the tenant, or a notification delivered
 * twice, is one mail: the notify step's ledger (one row per mail and issue) lets each issue
 * through once. A catch-up, which lists mail mostly delivered already, first skips the issues
 * that have a delivery record for its `internetMessageId` (`deliveredIssues`).
 */
export async function fanOutMail(message: GraphNotificationMessage, deps: FanOutMailDeps): Promise<FanOutResult> {
  const facts: TrailFacts = { issues: [] };
  const result = await fanOut(message, deps, facts);
  if (deps.trails && result.kind !== 'requeued') await recordTrail(message, result, facts, { ...deps, trails: deps.trails });
  return result;
}

async function fanOut(message: GraphNotificationMessage, deps: FanOutMailDeps, facts: TrailFacts): Promise<FanOutResult> {
  if (message.changeType.toLowerCase() !== 'created') return { kind: 'ignored', reason: 'changeType' };

  let resource: MailResourceData;
  if (message.resourceData) {
    resource = message.resourceData;
  } else {
    try {
      resource = await deps.readMail(message.tenantId, message.userId, message.messageId);
    } catch (error) {
      // Deleted (or moved out of reach) before we read it: nobody needs to hear of it.
      if (isAppError(error) && error.code === 'graph_not_found') return { kind: 'ignored', reason: 'mailGone' };
      const retryAfter = retryAfterOf(error);
      if (retryAfter === undefined) throw error;
      // Throttled is not a failure: the same message again after Graph's delay.
      const delaySeconds = Math.min(Math.max(1, Math.ceil(retryAfter) + 1), Math.max(1, Math.floor(deps.maxDelaySeconds)));
      await deps.requeue(message, delaySeconds);
      return { kind: 'requeued', delaySeconds };
    }
  }

  const mail = toNotifiedMail(resource);
  if (resource.internetMessageId) facts.internetMessageId = resource.internetMessageId;
  if (resource.conversationId) facts.conversationId = resource.conversationId;
  if (!mail) {
    await advance(message, resource, deps);
    return { kind: 'ignored', reason: 'noConversation' };
  }

  const receivedMs = mail.receivedDateTime === undefined ? undefined : Date.parse(mail.receivedDateTime);
  const links: LinkEntity[] = [];
  for await (const link of deps.links.listByConversation(message.tenantId, mail.conversationId)) {
    // A conversation id is the same in every mailbox of the thread, so anyone can link one of
    // someone else's: only the receiving mailbox's links let its mail out — made by its owner,
    // or in a shared mailbox by a member Graph let read it (`linkMailboxOf`).
    if (!sameUser(linkMailboxOf(link), message.userId)) continue;
    // Only links that existed when the mail arrived: a catch-up lists older mail, which a
    // link made since must not turn into "new e-mail" notifications.
    if (receivedMs !== undefined && receivedMs < Date.parse(link.linkedAt) - LINKED_AT_SKEW_MS) continue;
    links.push(link);
  }
  // Only mail of a linked conversation is worth the look (and the count): drafts, automatic
  // replies, bulk mail and Jira's own notifications coming back notify no one.
  const suppressed = links.length === 0 ? undefined : suppressionReason(resource);
  if (suppressed) {
    await advance(message, resource, deps);
    return { kind: 'suppressed', reason: suppressed };
  }
  const now = deps.clock.now();
  // A stale link is skipped until its backoff has passed; then this mail is its probe.
  const live = links.filter((link) => isProbeDue(link, now));
  for (const link of links) if (!live.includes(link)) facts.issues.push(trailIssue(link, 'staleSkipped'));
  if (live.length === 0) {
    await advance(message, resource, deps);
    return links.length === 0 ? { kind: 'notLinked' } : { kind: 'enqueued', issues: 0, alreadyDelivered: 0, staleLinks: links.length };
  }

  const delivered = await deliveredIssues(message, mail.internetMessageId, deps);
  const enqueuedAt = new Date(deps.clock.now()).toISOString();
  const messages: JiraNotifyMessage[] = live
    .filter((link) => !delivered.has(issueId(link.instanceId, link.issueKey)))
    .map((link) => ({
      version: 1,
      tenantId: message.tenantId,
      instanceId: link.instanceId,
      issueKey: link.issueKey,
      mailboxUserId: message.userId,
      mail,
      enqueuedAt,
      retry: { throttled: 0, failed: 0 },
      ...(link.stale === true ? { probe: true } : {}),
    }));
  for (const link of live)
    facts.issues.push(trailIssue(link, delivered.has(issueId(link.instanceId, link.issueKey)) ? 'alreadyHandled' : 'queued'));
  if (messages.length > 0) await deps.enqueue(messages);
  // Only after the messages are durably queued: "last notification" means one that was handled.
  await advance(message, resource, deps);
  return {
    kind: 'enqueued',
    issues: messages.length,
    alreadyDelivered: live.length - messages.length,
    staleLinks: links.length - live.length,
  };
}

/**
 * The issues of the mail that already have a delivery row, looked up for a catch-up only:
 * a catch-up lists mail the webhook mostly delivered already, and one partition read spares
 * each repeat a `jira-notify` message and its claims. A webhook's notification is a new mail
 * whose only repeats (another mailbox of the tenant, Graph delivering twice) are rare, and the
 * notify step's ledger refuses them anyway: the read would cost every mail a request to spare
 * a few (issue 18: one mail × 3 issues in at most 8 storage requests).
 */
async function deliveredIssues(
  message: GraphNotificationMessage,
  internetMessageId: string,
  deps: Pick<FanOutMailDeps, 'deliveries'>,
): Promise<Set<string>> {
  const delivered = new Set<string>();
  if (message.origin !== 'catchUp') return delivered;
  for await (const row of deps.deliveries.listByMessage(message.tenantId, internetMessageId))
    delivered.add(issueId(row.instanceId, row.issueKey));
  return delivered;
}

async function advance(message: GraphNotificationMessage, resource: MailResourceData, deps: FanOutMailDeps): Promise<void> {
  const at = resource.receivedDateTime ?? message.receivedAt;
  try {
    await deps.watermarks.advance(message.subscriptionId, at);
  } catch (error) {
    // The watermark only tells the panel when the last mail came; a catch-up does not start from it.
    deps.onWatermarkError?.(error);
  }
}

/**
 * One row per mail handled, written after the mail's messages are queued: a failure here
 * loses a line of the admin's trail, never a notification.
 */
async function recordTrail(
  message: GraphNotificationMessage,
  result: Exclude<FanOutResult, { kind: 'requeued' }>,
  facts: TrailFacts,
  deps: Pick<FanOutMailDeps, 'clock' | 'onTrailError'> & { trails: Pick<MailTrailRepository, 'upsert'> },
): Promise<void> {
  const matched = result.kind === 'enqueued';
  try {
    await deps.trails.upsert({
      tenantId: message.tenantId,
      userId: message.userId,
      messageId: message.messageId,
      subscriptionId: message.subscriptionId,
      receivedAt: message.receivedAt,
      ...(facts.internetMessageId === undefined ? {} : { internetMessageId: facts.internetMessageId }),
      ...(facts.conversationId === undefined ? {} : { conversationId: facts.conversationId }),
      outcome: matched ? 'matched' : 'dropped',
      ...(matched ? {} : { reason: result.kind === 'ignored' || result.kind === 'suppressed' ? result.reason : 'notLinked' }),
      issues: facts.issues,
      updatedAt: new Date(deps.clock.now()).toISOString(),
    });
  } catch (error) {
    deps.onTrailError?.(error);
  }
}

function trailIssue(link: LinkEntity, state: TrailIssueState): TrailIssue {
  return { instanceId: link.instanceId, issueKey: link.issueKey, state };
}

/** Object ids are GUIDs, addresses are not case-sensitive either. */
function sameUser(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function issueId(instanceId: string, issueKey: string): string {
  return `${instanceId}\n${issueKey}`;
}
