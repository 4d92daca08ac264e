import { escapeHtml, truncateText } from '../../platform/text';
import type { DigestMailEntity } from '../../platform/storage/digests/digestMailEntity';
import type { JiraNotification } from './JiraNotification';
import { formatTime, MAX_NOTIFICATION_SUBJECT, oneLine, senderText } from './toJiraNotification';

/**
 * The digest of a window's mails in one conversation linked to an issue: a subject like
 * `[KEY-1] 3 new e-mails in <conversation subject>` and every mail listed (from, subject,
 * received), oldest first. No previews: a digest of a storm stays readable and bounded.
 */
export function toDigestNotification(
  issueKey: string,
  conversationSubject: string,
  mails: readonly Pick<DigestMailEntity, 'subject' | 'fromName' | 'fromAddress' | 'receivedDateTime'>[],
  recipients: readonly string[],
): JiraNotification {
  const topic = oneLine(conversationSubject) || '(no subject)';
  const count = `${mails.length} new e-mail${mails.length === 1 ? '' : 's'}`;
  const rows = mails.map((mail) => ({
    from: senderText(mail),
    subject: oneLine(mail.subject) || '(no subject)',
    received: mail.receivedDateTime ? formatTime(mail.receivedDateTime) : '',
  }));

  const text = [
    `${count} in a conversation linked to ${issueKey}: ${topic}`,
    '',
    ...rows.map((row) => `- ${row.received ? `${row.received} ` : ''}${row.from}: ${row.subject}`),
  ].join('\n');
  const html = [
    `<p>${escapeHtml(count)} in a conversation linked to <b>${escapeHtml(issueKey)}</b>: ${escapeHtml(topic)}</p>`,
    '<table>',
    '<tr><th align="left">Received</th><th align="left">From</th><th align="left">Subject</th></tr>',
    ...rows.map(
      (row) => `<tr><td>${escapeHtml(row.received)}</td><td>${escapeHtml(row.from)}</td><td>${escapeHtml(row.subject)}</td></tr>`,
    ),
    '</table>',
  ].join('\n');

  return {
    subject: truncateText(`[${oneLine(issueKey)}] ${count} in ${topic}`, MAX_NOTIFICATION_SUBJECT),
    textBody: text,
    htmlBody: html,
    to: { reporter: false, assignee: false, watchers: false, voters: false, users: recipients.map((name) => ({ name })) },
    restrict: { permissions: [{ key: 'BROWSE' }] },
  };
}
