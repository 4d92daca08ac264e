import type { LinkEntity } from '../../platform/storage/links/linkEntity';

/**
 * The mailbox a link belongs to: the shared mailbox it was made in, else the mailbox of the
 * user who made it. Only that mailbox's mail fans out through the link, and that mailbox is
 * the one the link keeps subscribed.
 */
export function linkMailboxOf(link: Pick<LinkEntity, 'userId' | 'mailboxId'>): string {
  return link.mailboxId ?? link.userId;
}
