import { AppError, isAppError } from '../../platform/errors/AppError';
import type { Clock } from '../../platform/clock';
import type { LinkRepository } from '../../platform/storage/links/LinkRepository';
import type { DeliveryLedger, ClaimedDelivery } from './DeliveryLedger';
import type { IssueRef, JiraCallResult, JiraIssueNotifier } from './JiraIssueNotifier';
import { issueConversationOf, type JiraNotifyMessage, type RetryCounts } from './jiraNotifyMessage';
import { clearLinkStale, markLinkStale } from './markLinkStale';
import { nextRetry, type RetryCause, type RetryPolicy } from './nextRetry';
import { selectRecipients } from './selectRecipients';
import type { NotifyWindow } from './NotifyWindow';
import { toDigestNotification } from './toDigestNotification';
import { toJiraNotification } from './toJiraNotification';

export interface NotifyWatchersDeps {
  ledger: Pick<DeliveryLedger, 'claim' | 'complete' | 'release' | 'extend'>;
  jira: Pick<JiraIssueNotifier, 'watchers' | 'notify'>;
  /**
   * The longest one Jira call can take (the outbound client's connect, headers and body
   * timeouts). No call starts unless the claim's lease covers it and the ledger write after
   * it; a shorter lease is renewed first (see `leaseCovering`).
   */
  jiraCallMs: number;
  links: Pick<LinkRepository, 'getVersioned' | 'update'>;
  /** Puts a copy of the message back on `jira-notify`, visible after the delay. */
  requeue(message: JiraNotifyMessage, delaySeconds: number): Promise<void>;
  policy: RetryPolicy;
  clock: Clock;
  random?: () => number;
  /** Storm control (`NOTIFY_DIGEST_WINDOW`); without it every mail is notified on its own. */
  window?: Pick<NotifyWindow, 'admit' | 'collect' | 'finish' | 'secondsUntilDue'>;
}

export type NotifyWatchersResult =
  | { kind: 'sent'; recipients: number; droppedSender: number; droppedInactive: number }
  | { kind: 'sentWithoutRecipients'; droppedSender: number; droppedInactive: number }
  | { kind: 'alreadyDone'; status: 'sent' | 'failed' }
  | { kind: 'held' }
  | { kind: 'failed'; reason: string; status?: number }
  | { kind: 'requeued'; cause: 'busy' | 'throttled' | 'failed' | 'windowOpen'; delaySeconds: number; status?: number };

/** Transport failures worth a later try; any other AppError from the Jira client is a configuration problem. */
const TRANSIENT_CODES = new Set(['upstream_timeout', 'upstream_unreachable', 'upstream_bad_response']);

/**
 * One `jira-notify` message: claim it in the ledger, ask Jira who watches the issue, drop
 * the sender and inactive users, have Jira send the notification, record `sent` (retried
 * within the lease). The only duplicate possible is a crash between Jira's 2xx and that
 * last write, or storage down for the rest of the lease; anywhere else the
 * message (or the copy put back first) is still there and the ledger lets it through.
 *
 * Returns normally when the message is done with, including when a delayed copy was put
 * back (a throttled call does not count toward poison). Throws — after giving the lease
 * up — when the host should retry: storage down, a copy that could not be put back, the
 * instance's credential refused, failures beyond the requeue budget.
 */
export async function notifyWatchers(message: JiraNotifyMessage, deps: NotifyWatchersDeps): Promise<NotifyWatchersResult> {
  const issue: IssueRef = { tenantId: message.tenantId, instanceId: message.instanceId, issueKey: message.issueKey };
  if (message.digest && deps.window) {
    // One notification per window, also when a flush comes before its window's end.
    const wait = await deps.window.secondsUntilDue(message);
    if (wait > 0) {
      await deps.requeue(message, wait);
      return { kind: 'requeued', cause: 'windowOpen', delaySeconds: wait };
    }
  }
  const first = await deps.ledger.claim({ ...issue, internetMessageId: message.mail.internetMessageId });
  if (first.kind === 'done') {
    // A digest recorded before its flush could tidy up (a crash): tidy up now.
    if (message.digest && deps.window) await deps.window.finish(message);
    return { kind: 'alreadyDone', status: first.entity.status === 'failed' ? 'failed' : 'sent' };
  }
  if (first.kind === 'busy') return lookAgainLater(message, first.leaseUntil, deps);
  let claim: ClaimedDelivery = first;

  // Storm control: a flush sends what its window held; a mail inside an open window is held
  // (durably, before this message completes) and counts as handled, by the digest to come.
  const digestMails = message.digest && deps.window ? await deps.window.collect(message) : undefined;
  if (!message.digest && deps.window && (await deps.window.admit(message)) === 'held') {
    await deps.ledger.complete(claim, { status: 'sent', reason: 'digest' });
    return { kind: 'held' };
  }
  const finishDigest = async () => {
    if (message.digest && deps.window) await deps.window.finish(message);
  };
  if (digestMails?.length === 0) {
    await deps.ledger.complete(claim, { status: 'sent', reason: 'empty_digest' });
    await finishDigest();
    return { kind: 'sentWithoutRecipients', droppedSender: 0, droppedInactive: 0 };
  }

  const forWatchers = await leaseCovering(claim, deps);
  if (forWatchers === undefined) return lookAgainLater(message, undefined, deps);
  claim = forWatchers;
  const watchers = await callJira(() => deps.jira.watchers(issue));
  if (watchers.kind !== 'ok') return afterGivingUp(await afterFailure(watchers, message, claim, deps), finishDigest);
  if (message.probe === true) await reviveLink(message, deps);
  // A digest spares a watcher only when every mail in it is theirs.
  const senders = new Set(digestMails?.map((mail) => mail.fromAddress?.toLowerCase() ?? ''));
  const sender = digestMails ? (senders.size === 1 ? digestMails[0]?.fromAddress : undefined) : message.mail.fromAddress;
  const selection = selectRecipients(watchers.value, sender);
  const { droppedSender, droppedInactive } = selection;
  if (selection.names.length === 0) {
    await deps.ledger.complete(claim, {
      status: 'sent',
      lastStatus: watchers.status,
      reason: 'no_recipients',
      watchers: watchers.value.length,
    });
    await finishDigest();
    return { kind: 'sentWithoutRecipients', droppedSender, droppedInactive };
  }
  const notification = digestMails
    ? toDigestNotification(message.issueKey, message.mail.subject, digestMails, selection.names)
    : toJiraNotification(message.issueKey, message.mail, selection.names);
  const forNotify = await leaseCovering(claim, deps);
  if (forNotify === undefined) return lookAgainLater(message, undefined, deps);
  claim = forNotify;
  const notified = await callJira(() => deps.jira.notify(issue, notification));
  if (notified.kind !== 'ok') return afterGivingUp(await afterFailure(notified, message, claim, deps), finishDigest);
  // Between Jira's 2xx and this write is the one place a crash (or storage down for longer than the lease) yields a duplicate.
  await deps.ledger.complete(claim, {
    status: 'sent',
    lastStatus: notified.status,
    watchers: watchers.value.length,
    recipients: selection.names,
  });
  await finishDigest();
  return { kind: 'sent', recipients: selection.names.length, droppedSender, droppedInactive };
}

/** Room left after a Jira call for the ledger write (the storage SDK's own retries of one write take about 4 s). */
const LEDGER_WRITE_MARGIN_MS = 10_000;

/**
 * The claim, its lease made to cover one Jira call and the ledger write after it: a lease
 * that ran out while this copy was still waiting for Jira let another copy (a redelivery, a
 * copy put back as busy) take the row over and notify too, and both recorded `sent` (the
 * chaos runs' "other duplicates" of issue 18). Renewed only when the lease is shorter than
 * that, so a production lease (`DELIVERY_LEASE`, minutes) costs no request. Undefined when
 * another copy holds or finished the row: it sends, not this one.
 */
function leaseCovering(claim: ClaimedDelivery, deps: NotifyWatchersDeps): Promise<ClaimedDelivery | undefined> {
  // Renewed for both calls of an attempt (watchers, notify), so the second finds it covered.
  return deps.ledger.extend(claim, deps.jiraCallMs + LEDGER_WRITE_MARGIN_MS, 2 * deps.jiraCallMs + LEDGER_WRITE_MARGIN_MS);
}

/** Another copy holds the row (until `leaseUntil`, when known): look again when its lease ends, in case it dies. */
async function lookAgainLater(
  message: JiraNotifyMessage,
  leaseUntil: string | undefined,
  deps: NotifyWatchersDeps,
): Promise<NotifyWatchersResult> {
  const maxDelaySeconds = Math.max(1, Math.floor(deps.policy.maxDelaySeconds));
  const untilLeaseEnds = leaseUntil === undefined ? maxDelaySeconds : Math.ceil((Date.parse(leaseUntil) - deps.clock.now()) / 1000) + 1;
  const delaySeconds = Math.min(Math.max(untilLeaseEnds, 1), maxDelaySeconds);
  await deps.requeue(message, delaySeconds);
  return { kind: 'requeued', cause: 'busy', delaySeconds };
}

/** A digest given up for good (the issue is gone, Jira refuses it) still moves its window on, or its later mails would wait forever. */
async function afterGivingUp(result: NotifyWatchersResult, finishDigest: () => Promise<void>): Promise<NotifyWatchersResult> {
  if (result.kind === 'failed') await finishDigest();
  return result;
}

/** A Jira call whose thrown errors become results: only the calls to Jira are handled as Jira failures, never a ledger write. */
type JiraOutcome<T> = JiraCallResult<T> | { kind: 'error'; error: unknown };

async function callJira<T>(call: () => Promise<JiraCallResult<T>>): Promise<JiraOutcome<T>> {
  try {
    return await call();
  } catch (error) {
    return { kind: 'error', error };
  }
}

async function afterFailure(
  answer: Exclude<JiraOutcome<unknown>, { kind: 'ok' }>,
  message: JiraNotifyMessage,
  claim: ClaimedDelivery,
  deps: NotifyWatchersDeps,
): Promise<NotifyWatchersResult> {
  if (answer.kind === 'error') {
    const { error } = answer;
    if (isAppError(error) && TRANSIENT_CODES.has(error.code)) return retryLater(message, claim, { kind: 'failed' }, deps, undefined, error);
    if (isAppError(error) && error.code === 'instance_not_found') {
      await deps.ledger.complete(claim, { status: 'failed', reason: 'instance_not_found' });
      return { kind: 'failed', reason: 'instance_not_found' };
    }
    await giveUpLease(deps, claim);
    throw error;
  }
  switch (answer.kind) {
    case 'throttled':
      return retryLater(message, claim, { kind: 'throttled', retryAfterSeconds: answer.retryAfterSeconds }, deps, answer.status);
    case 'transient':
      return retryLater(message, claim, { kind: 'failed' }, deps, answer.status);
    case 'gone': {
      const reason = 'issue_not_found';
      await deps.ledger.complete(claim, { status: 'failed', lastStatus: answer.status, reason });
      await markLinkStale(deps.links, issueConversationOf(message), { status: answer.status, nowMs: deps.clock.now() });
      return { kind: 'failed', reason, status: answer.status };
    }
    case 'forbidden': {
      // The service user lacks a permission (or Jira's outgoing mail is off): the issue is
      // not gone, so the link stays live and the next mail tries again, which is how an
      // admin's fix lets mail through. This mail is not retried: permissions are fixed in
      // hours, not in a requeue's minutes, and a late notification would only confuse.
      const reason = 'jira_forbidden';
      await deps.ledger.complete(claim, { status: 'failed', lastStatus: answer.status, reason });
      return { kind: 'failed', reason, status: answer.status };
    }
    case 'refused':
      await giveUpLease(deps, claim, answer.status);
      throw new AppError({ code: 'jira_forbidden', detail: `Jira refused the instance's service credential or moved (${answer.status})` });
    case 'rejected': {
      const reason = `jira_rejected_${answer.status}` as const;
      await deps.ledger.complete(claim, { status: 'failed', lastStatus: answer.status, reason });
      return { kind: 'failed', reason, status: answer.status };
    }
  }
}

/**
 * Gives the lease up first (so the copy can claim at once), then puts the copy back. If
 * that fails the error goes to the host, which retries this very message: nothing is lost.
 */
async function retryLater(
  message: JiraNotifyMessage,
  claim: ClaimedDelivery,
  cause: RetryCause,
  deps: NotifyWatchersDeps,
  status: number | undefined,
  error?: unknown,
): Promise<NotifyWatchersResult> {
  const decision = nextRetry(cause, message.retry, deps.policy, deps.random);
  await deps.ledger.release(claim, status);
  if (decision.action === 'throw') {
    if (error instanceof Error) throw error;
    throw new AppError({
      code: cause.kind === 'throttled' ? 'throttled' : 'upstream_unreachable',
      detail: `Jira answered ${status ?? 'nothing'}; retries by requeue are used up`,
    });
  }
  await deps.requeue(withRetry(message, decision.retry), decision.delaySeconds);
  return { kind: 'requeued', cause: cause.kind, delaySeconds: decision.delaySeconds, ...(status === undefined ? {} : { status }) };
}

/** Best effort: if even this fails, the lease simply runs out. */
async function giveUpLease(deps: NotifyWatchersDeps, claim: ClaimedDelivery, status?: number): Promise<void> {
  await deps.ledger.release(claim, status).catch(() => false);
}

/**
 * Jira answered for the issue of a stale link: the link is live again. Best effort: should
 * the write fail, the link stays stale and the next probe tries again.
 */
async function reviveLink(message: JiraNotifyMessage, deps: NotifyWatchersDeps): Promise<void> {
  await clearLinkStale(deps.links, issueConversationOf(message)).catch(() => undefined);
}

function withRetry(message: JiraNotifyMessage, retry: RetryCounts): JiraNotifyMessage {
  return { ...message, retry };
}
