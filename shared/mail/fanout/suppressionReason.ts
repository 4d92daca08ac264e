import type { MailResourceData } from '../webhooks/mailResourceDataSchema';

/**
 * Why a mail in a linked conversation notifies no one:
 * - `draft`: saved, not sent (`isDraft`);
 * - `loop`: Jira's own notification mail (ours included: the fan-out notifies through
 *   Jira's notify API) that came back into a subscribed mailbox;
 * - `autoReply`: out-of-office and other automatic replies, or mail its sender marked as
 *   automatic;
 * - `bulk`: mailing lists and newsletters.
 */
export type SuppressionReason = 'draft' | 'loop' | 'autoReply' | 'bulk';

/**
 * Jira Server/DC puts `X-JIRA-FingerPrint` on every notification mail (the helpdesk tools that
 * thread Jira mail key on it, e.g. Zammad's JiraCheck filter), and its Message-IDs have the shape
 * `<JIRA.{issue id}.{ms timestamp}[.{n}]@{host}>`.
 */
const JIRA_FINGERPRINT = 'x-jira-fingerprint';
const JIRA_MESSAGE_ID = /^<?JIRA\.\d+\.\d+(?:\.\d+)*@[^>]+>?$/i;

/**
 * Exchange copies these onto what its mailbox rules generate (out-of-office replies, rule
 * replies, forwards and redirects) and keeps them on the way, to break loops.
 */
const EXCHANGE_GENERATED = ['x-ms-exchange-generated-message-source', 'x-ms-exchange-inbox-rules-loop'];

/** `Precedence` (RFC 3834 §3.1.8 names it as the non-standard marker of list and bulk mail). */
const BULK_PRECEDENCE = new Set(['bulk', 'junk', 'list']);

/**
 * The reason to suppress a mail, from Graph's `isDraft` and its `internetMessageHeaders`
 * (undefined: notify). Header names are case-insensitive (RFC 5322 §1.2.2); a missing header
 * list (Graph returned none, an older subscription's `$select`) only lets `isDraft` decide.
 */
export function suppressionReason(
  mail: Pick<MailResourceData, 'isDraft' | 'internetMessageId' | 'internetMessageHeaders'>,
): SuppressionReason | undefined {
  if (mail.isDraft === true) return 'draft';
  const headers = new Map<string, string[]>();
  for (const header of mail.internetMessageHeaders ?? []) {
    const name = header.name.trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), (header.value ?? '').trim()]);
  }
  if (headers.has(JIRA_FINGERPRINT) || JIRA_MESSAGE_ID.test(mail.internetMessageId?.trim() ?? '')) return 'loop';
  // RFC 3834 §5: any value but `no` marks the mail as automatic; parameters follow a `;`.
  if ((headers.get('auto-submitted') ?? []).some((value) => keyword(value) !== 'no')) return 'autoReply';
  if (EXCHANGE_GENERATED.some((name) => headers.has(name))) return 'autoReply';
  // [MS-OXCMAIL] 2.1.3.2.20: set by senders of automatic mail so that no one auto-answers it; `None` asks nothing.
  if ((headers.get('x-auto-response-suppress') ?? []).some((value) => value !== '' && value.toLowerCase() !== 'none')) return 'autoReply';
  if ((headers.get('precedence') ?? []).some((value) => BULK_PRECEDENCE.has(keyword(value)))) return 'bulk';
  return undefined;
}

function keyword(value: string): string {
  return (value.split(';')[0] ?? '').trim().toLowerCase();
}
