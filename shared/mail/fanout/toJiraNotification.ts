import { escapeHtml, truncateText } from '../../platform/text';
import type { NotifiedMail } from './jiraNotifyMessage';
import type { JiraNotification } from './JiraNotification';

/** Jira puts the subject in a mail header; keep it one reasonable line. */
export const MAX_NOTIFICATION_SUBJECT = 255;

/**
 * The notification Jira sends to the issue's watchers about a new mail: a subject like
 * `[KEY-1] New e-mail: <subject>`, and a text and an HTML body with the sender, the time,
 * the preview and a link to the mail. Every mail-derived value is escaped in the HTML.
 */
export function toJiraNotification(issueKey: string, mail: NotifiedMail, recipients: readonly string[]): JiraNotification {
  const subjectLine = oneLine(mail.subject) || '(no subject)';
  const sender = senderText(mail);
  const received = mail.receivedDateTime ? formatTime(mail.receivedDateTime) : undefined;
  const preview = mail.bodyPreview.trim();

  const text = [
    `New e-mail in a conversation linked to ${issueKey}.`,
    '',
    `From: ${sender}`,
    ...(received ? [`Received: ${received}`] : []),
    `Subject: ${subjectLine}`,
    ...(preview ? ['', preview] : []),
    ...(mail.webLink ? ['', `Open the e-mail: ${mail.webLink}`] : []),
  ].join('\n');

  const row = (label: string, value: string) =>
    `<tr><th align="left" style="padding-right:12px">${label}</th><td>${escapeHtml(value)}</td></tr>`;
  const html = [
    `<p>New e-mail in a conversation linked to <b>${escapeHtml(issueKey)}</b>.</p>`,
    '<table>',
    row('From', sender),
    ...(received ? [row('Received', received)] : []),
    row('Subject', subjectLine),
    '</table>',
    ...(preview ? [`<blockquote>${escapeHtml(preview).replace(/\r?\n/g, '<br>')}</blockquote>`] : []),
    ...(mail.webLink ? [`<p><a href="${escapeHtml(mail.webLink)}">Open the e-mail</a></p>`] : []),
  ].join('\n');

  return {
    subject: truncateText(`[${oneLine(issueKey)}] New e-mail: ${subjectLine}`, MAX_NOTIFICATION_SUBJECT),
    textBody: text,
    htmlBody: html,
    to: { reporter: false, assignee: false, watchers: false, voters: false, users: recipients.map((name) => ({ name })) },
    restrict: { permissions: [{ key: 'BROWSE' }] },
  };
}

/** `Name <address>`, or whichever of the two there is. */
export function senderText(mail: Pick<NotifiedMail, 'fromName' | 'fromAddress'>): string {
  const name = mail.fromName ? oneLine(mail.fromName) : '';
  const address = mail.fromAddress ? oneLine(mail.fromAddress) : '';
  if (name && address && name.toLowerCase() !== address.toLowerCase()) return `${name} <${address}>`;
  return name || address || 'unknown sender';
}

/** `2024-05-01 10:00 UTC`: one unambiguous form for every reader's time zone. */
export function formatTime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Line breaks and other control characters out: they could split a mail header. */
export function oneLine(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}
