import type { LinkEntity, LinkKey } from '../../platform/storage/links/linkEntity';
import type { LinkRepository } from '../../platform/storage/links/LinkRepository';

/** The wait before the first probe of a stale link; doubled after each refused probe. */
export const STALE_FIRST_BACKOFF_MS = 15 * 60_000;
/** A stale link is tried at least once a day, however long Jira has been refusing it. */
export const STALE_MAX_BACKOFF_MS = 24 * 3600_000;

/**
 * Whether a mail fans out through this link: a live link always; a stale one once its
 * backoff has passed, as a probe (a stale row from before the backoff existed is due).
 */
export function isProbeDue(link: Pick<LinkEntity, 'stale' | 'nextCheckAt'>, nowMs: number): boolean {
  if (link.stale !== true) return true;
  return link.nextCheckAt === undefined || Date.parse(link.nextCheckAt) <= nowMs;
}

/**
 * Flags a link whose issue Jira does not show (404: gone, or not browsable), so the
 * add-in and the panel can show it, and later mails skip it until the next probe is due:
 * 15 minutes after the first refusal, doubling with each refused probe up to a day. Kept,
 * not deleted: the issue may come back (a permission fixed, a project restored). A 403 does
 * not come here: it names a missing permission of the service user, not a missing issue. Several
 * probes refused at once move the backoff one step: a refusal that finds the next check
 * already in the future only confirms it. A lost race is not retried: whoever changed the
 * row since has the newer picture.
 */
export async function markLinkStale(
  links: Pick<LinkRepository, 'getVersioned' | 'update'>,
  key: LinkKey,
  refusal: { status: number; nowMs: number },
): Promise<boolean> {
  const current = await links.getVersioned(key);
  if (!current) return false;
  const link = current.entity;
  const { nowMs } = refusal;
  if (link.stale === true && !isProbeDue(link, nowMs)) return true;
  const checks = link.stale === true ? (link.staleChecks ?? 0) + 1 : 1;
  const backoffMs = Math.min(STALE_FIRST_BACKOFF_MS * 2 ** (checks - 1), STALE_MAX_BACKOFF_MS);
  return links.update(
    {
      ...link,
      stale: true,
      staleSince: link.stale === true && link.staleSince !== undefined ? link.staleSince : new Date(nowMs).toISOString(),
      staleStatus: refusal.status,
      staleChecks: checks,
      nextCheckAt: new Date(nowMs + backoffMs).toISOString(),
    },
    current.etag,
  );
}

/**
 * Makes a stale link live again: Jira answered for its issue (a probe got through), or the
 * user linked the issue again, which checked it in Jira as that user. Answers the link as
 * it is now; undefined when the row is gone or changed meanwhile (the newer picture wins).
 */
export async function clearLinkStale(
  links: Pick<LinkRepository, 'getVersioned' | 'update'>,
  key: LinkKey,
): Promise<LinkEntity | undefined> {
  const current = await links.getVersioned(key);
  if (!current) return undefined;
  if (current.entity.stale !== true) return current.entity;
  const { stale: _stale, staleSince: _since, staleStatus: _status, staleChecks: _checks, nextCheckAt: _next, ...live } = current.entity;
  return (await links.update(live, current.etag)) ? live : undefined;
}
