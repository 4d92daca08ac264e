import type { DropReason } from '../mail/webhooks/DropCounts';
import type { deliveryReasons } from '../platform/storage/deliveries/deliveryReason';
import type { TrailDropReason, TrailIssueState } from '../platform/storage/trails/mailTrailEntity';

/**
 * The one table code → sentence the panel shows for every reason the webhooks, the fan-out,
 * the delivery ledger and the trail record, so a Jira admin reads what happened instead of
 * a code. Typed as records over the code lists, so a new code does not compile without
 * its sentence. Each sentence completes "Dropped: …" / "Failed: …" (no capital, no stop).
 */
export interface ReasonSentences {
  /** Why a notification or a mail was not handled: the webhooks' drops and the fan-out's. */
  dropped: Record<DropReason | TrailDropReason, string>;
  /** What the notify step recorded, `jira_rejected_<status>` aside (`rejected`). */
  delivery: Record<(typeof deliveryReasons)[number], string>;
  /** `jira_rejected_<status>`: `{status}` stands for Jira's HTTP status. */
  rejected: string;
  /** What the fan-out did per linked issue. */
  fanOut: Record<TrailIssueState, string>;
  /** A subscription's state, as the panel lists it. */
  subscriptionState: Record<'active' | 'reauthorizationRequired' | 'expired', string>;
}

export const reasonSentences: ReasonSentences = {
  dropped: {
    malformed: "Graph's notification did not have the expected shape",
    unknownSubscription: 'it named a subscription this app does not have (deleted, or left over from an earlier one)',
    clientStateMismatch: "its shared secret did not match the subscription's: refused as not sent by Graph",
    untrustedRichContent: "its rich content's validation tokens did not check out",
    undecryptable: 'its encrypted content could not be decrypted (the certificate or key did not match)',
    unsupportedEvent: 'a lifecycle event the app does not act on',
    duplicate: 'Graph sent it again; the first copy was handled',
    changeType: 'it was not a new mail (only new mail notifies)',
    noConversation: 'it belongs to no conversation',
    mailGone: 'it was deleted or moved before it could be read',
    notLinked: "its conversation is linked to no issue by the mailbox's owner",
    draft: 'it is a draft, not a sent mail',
    loop: "it is Jira's own notification coming back",
    autoReply: 'it is an automatic reply (out of office, or marked automatic by its sender)',
    bulk: 'it is bulk mail (a mailing list or newsletter)',
  },
  delivery: {
    digest: "sent as part of the issue's digest of several mails",
    empty_digest: 'a digest with nothing left to send',
    no_recipients: 'nobody to tell: every watcher was the sender or is inactive',
    instance_not_found: 'the Jira instance was removed from the app before the notification went out',
    issue_not_found: 'Jira no longer shows the issue (deleted, moved, or hidden from the service user)',
    jira_forbidden: 'Jira refused: outgoing mail is off or the service user lacks permission',
  },
  rejected: 'Jira rejected the notification (HTTP {status})',
  fanOut: {
    queued: 'queued for Jira',
    alreadyHandled: 'already handled (another mailbox or a repeat)',
    staleSkipped: 'skipped: Jira no longer shows the issue (retried later)',
  },
  subscriptionState: {
    active: 'active',
    reauthorizationRequired: 'needs reauthorization (Graph asked; the next renewal does it)',
    expired: 'expired: no notifications until it is renewed or recreated',
  },
};
