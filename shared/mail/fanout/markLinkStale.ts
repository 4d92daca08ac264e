import type { LinkKey } from '../../platform/storage/links/linkEntity';
import type { LinkRepository } from '../../platform/storage/links/LinkRepository';

/**
 * Flags a link whose issue Jira no longer shows us, so the add-in can show it and the user
 * can remove it; later mails in the conversation skip it. Kept, not deleted: the issue may
 * come back (a permission fixed, a project restored). A lost race is not retried: whoever
 * changed the row since has the newer picture.
 */
export async function markLinkStale(links: Pick<LinkRepository, 'getVersioned' | 'update'>, key: LinkKey): Promise<boolean> {
  const current = await links.getVersioned(key);
  if (!current) return false;
  if (current.entity.stale === true) return true;
  return links.update({ ...current.entity, stale: true }, current.etag);
}
