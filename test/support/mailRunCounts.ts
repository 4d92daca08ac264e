import type { DeliveryKey } from '../../shared/platform/storage/deliveries/deliveryEntity';

const LEDGER_SENT_PREFIX = 'ledger-sent ';

/** The line a worker prints once the ledger recorded a delivery `sent` (the write succeeded). */
export function ledgerSentLine(key: DeliveryKey): string {
  return `${LEDGER_SENT_PREFIX}${JSON.stringify([key.internetMessageId, key.issueKey])}`;
}

/** The pair key of a `ledgerSentLine`, or undefined for any other line. */
export function parseLedgerSentLine(line: string): string | undefined {
  if (!line.startsWith(LEDGER_SENT_PREFIX)) return undefined;
  const [internetMessageId, issueKey] = JSON.parse(line.slice(LEDGER_SENT_PREFIX.length)) as [string, string];
  return pairKey(internetMessageId, issueKey);
}

export function pairKey(internetMessageId: string, issueKey: string): string {
  return `${internetMessageId}\n${issueKey}`;
}

/** One mail the run put into a mailbox. */
export interface SentMail {
  /** `chaos-000123`: in the subject, so Jira's outbox says which mail a notification is about. */
  tag: string;
  mailId: string;
  internetMessageId: string;
  /** The issues its conversation is linked to by its mailbox's owner: one notification each is the goal. */
  issues: readonly string[];
}

export interface MailRunEvidence {
  mails: readonly SentMail[];
  /** Mail ids whose notification Graph got a 2xx for. */
  acknowledged: ReadonlySet<string>;
  /** What Jira was asked to send (its outbox): the issue and the subject. */
  outbox: readonly { issueKey: string; subject: string; textBody?: string }[];
  /** Mail ids of the `graph-notifications-poison` messages. */
  poisonedMails: ReadonlySet<string>;
  /** Pair keys of the `jira-notify-poison` messages. */
  poisonedPairs: ReadonlySet<string>;
  /** Pair key → how many times a worker recorded it `sent` in the ledger. */
  ledgerSent: ReadonlyMap<string, number>;
}

export interface MailRunCounts {
  /** Mails put into mailboxes. */
  sent: number;
  /** Mails whose webhook notification Graph got a 2xx for. */
  acknowledged: number;
  /** (mail, linked issue) pairs of acknowledged mails: what must be notified. */
  expected: number;
  /** Pairs Jira notified (at least once). */
  notified: number;
  /** Notifications beyond the first, over all pairs. */
  duplicated: number;
  /** Of those: a notification Jira answered 2xx whose ledger write never happened (the documented crash window). */
  crashWindow: number;
  /** Of those: anything else (the ledger recorded the pair `sent` more than once). Must be 0. */
  otherDuplicates: number;
  /** Pairs not notified whose message is in a poison queue (replayable). */
  poisoned: number;
  /** Pairs of acknowledged mails neither notified nor poisoned. Must be 0. */
  lost: number;
  /** Pairs of mails Graph never got a 2xx for (Graph gave up: not ours to deliver), not notified. */
  unacknowledged: number;
  /** Notifications for no expected pair (an unlinked conversation, an unknown mail). Must be 0. */
  unexpected: number;
}

const TAG = /\[(chaos-\d+)\]/;
/** `[KEY-1] 3 new e-mails in …`: storm control's digest, whose body lists its mails one per `- ` line. */
const DIGEST_SUBJECT = /^\[[^\]]*\] \d+ new e-mails? in /;

/** The tags of the mails a notification is about: its subject's, or each listed mail's for a digest. */
function tagsOf(entry: MailRunEvidence['outbox'][number]): (string | undefined)[] {
  if (!DIGEST_SUBJECT.test(entry.subject)) return [TAG.exec(entry.subject)?.[1]];
  return (entry.textBody ?? '')
    .split('\n')
    .filter((line) => line.startsWith('- '))
    .map((line) => TAG.exec(line)?.[1]);
}

/** Counts a finished run from what Graph, Jira, the poison queues and the ledger say. */
export function countMailRun(evidence: MailRunEvidence): MailRunCounts {
  const entries = new Map<string, number>();
  let unexpected = 0;
  const expectedKeys = new Set<string>();
  for (const mail of evidence.mails) for (const issue of mail.issues) expectedKeys.add(`${mail.tag}\n${issue}`);
  for (const entry of evidence.outbox) {
    for (const tag of tagsOf(entry)) {
      const key = `${tag ?? '-'}\n${entry.issueKey}`;
      if (!expectedKeys.has(key)) unexpected += 1;
      else entries.set(key, (entries.get(key) ?? 0) + 1);
    }
  }

  const counts: MailRunCounts = {
    sent: evidence.mails.length,
    acknowledged: 0,
    expected: 0,
    notified: 0,
    duplicated: 0,
    crashWindow: 0,
    otherDuplicates: 0,
    poisoned: 0,
    lost: 0,
    unacknowledged: 0,
    unexpected,
  };
  for (const mail of evidence.mails) {
    const acknowledged = evidence.acknowledged.has(mail.mailId);
    if (acknowledged) counts.acknowledged += 1;
    for (const issue of mail.issues) {
      const notifications = entries.get(`${mail.tag}\n${issue}`) ?? 0;
      const pair = pairKey(mail.internetMessageId, issue);
      if (acknowledged) counts.expected += 1;
      if (notifications > 0) {
        counts.notified += 1;
        const extra = notifications - 1;
        counts.duplicated += extra;
        // Each recorded `sent` stands for one notification the ledger knew of; any other
        // notification was answered 2xx by Jira but never recorded: the crash window.
        if ((evidence.ledgerSent.get(pair) ?? 0) <= 1) counts.crashWindow += extra;
        else counts.otherDuplicates += extra;
      } else if (evidence.poisonedMails.has(mail.mailId) || evidence.poisonedPairs.has(pair)) {
        counts.poisoned += 1;
      } else if (acknowledged) {
        counts.lost += 1;
      } else {
        counts.unacknowledged += 1;
      }
    }
  }
  return counts;
}

/** The line `npm run test:chaos` prints per run. */
export function formatCounts(name: string, counts: MailRunCounts, notes: string): string {
  return (
    `[${name}] mails sent ${counts.sent}, acknowledged ${counts.acknowledged}, ` +
    `notified ${counts.notified} of ${counts.expected} (mail, issue) pairs, duplicated ${counts.duplicated}, poisoned ${counts.poisoned}, lost ${counts.lost}` +
    ` | duplicates from the crash window ${counts.crashWindow}, other duplicates ${counts.otherDuplicates}, unexpected ${counts.unexpected}, not acknowledged by us ${counts.unacknowledged}` +
    (notes ? ` | ${notes}` : '')
  );
}
