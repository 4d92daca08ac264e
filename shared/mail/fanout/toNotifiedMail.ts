import type { MailResourceData } from '../webhooks/mailResourceDataSchema';
import { hashKey } from '../../platform/storage/tableKey';
import { MAX_LINK_LENGTH, MAX_MESSAGE_ID_LENGTH, MAX_PREVIEW_LENGTH, MAX_SUBJECT_LENGTH, type NotifiedMail } from './jiraNotifyMessage';
import { truncateText } from '../../platform/text';

/**
 * The notification's view of a Graph message, bounded in size; undefined for a mail that
 * cannot be in a linked conversation (Graph gave it no conversation id). A mail without an
 * `internetMessageId` (a draft, some system items) is keyed by its Graph id instead, which
 * de-duplicates only within its own mailbox. An absurdly long one (the header is set by
 * the sender) is replaced by its hash, which keeps it one key for every mailbox.
 */
export function toNotifiedMail(mail: MailResourceData): NotifiedMail | undefined {
  const conversationId = mail.conversationId?.trim();
  if (!conversationId) return undefined;
  const address = mail.from?.emailAddress?.address?.trim();
  const name = mail.from?.emailAddress?.name?.trim();
  const webLink = safeLink(mail.webLink);
  return {
    internetMessageId: messageKey(mail),
    conversationId,
    messageId: mail.id,
    subject: truncateText(mail.subject ?? '', MAX_SUBJECT_LENGTH),
    ...(name ? { fromName: truncateText(name, MAX_SUBJECT_LENGTH) } : {}),
    ...(address ? { fromAddress: truncateText(address, MAX_SUBJECT_LENGTH) } : {}),
    ...(mail.receivedDateTime && !Number.isNaN(Date.parse(mail.receivedDateTime))
      ? { receivedDateTime: new Date(mail.receivedDateTime).toISOString() }
      : {}),
    bodyPreview: truncateText(mail.bodyPreview ?? '', MAX_PREVIEW_LENGTH),
    ...(webLink ? { webLink } : {}),
  };
}

function messageKey(mail: MailResourceData): string {
  const id = mail.internetMessageId?.trim();
  if (!id) return `graph:${mail.id}`;
  return id.length <= MAX_MESSAGE_ID_LENGTH ? id : `sha256:${hashKey(id)}`;
}

/** Only an absolute http(s) URL may become a link in an e-mail (`javascript:` must not). */
function safeLink(link: string | null | undefined): string | undefined {
  if (!link || link.length > MAX_LINK_LENGTH || !URL.canParse(link)) return undefined;
  const url = new URL(link);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.href.length <= MAX_LINK_LENGTH ? url.href : undefined;
}
