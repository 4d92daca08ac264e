import type { ListEnvelope, ListPageRequest } from '../platform/paging/ListEnvelope';
import type { ListPager } from '../platform/paging/ListPager';
import { timeKey } from '../platform/paging/timeKey';
import type { LinkEntity } from '../platform/storage/links/linkEntity';
import type { LinkRepository } from '../platform/storage/links/LinkRepository';

export interface PanelIssueLinks {
  issueKey: string;
  /** Conversations linked to the issue. */
  conversations: number;
  /** Of those, links Jira no longer shows the issue of (the fan-out probes them with backoff). */
  stale: number;
  /** Why, for the most recently refused of them: Jira's status, since when, the next probe. */
  staleReason?: StaleReason;
  /** Distinct users who linked. */
  linkedBy: number;
  lastLinkedAt: string;
}

export interface StaleReason {
  status?: number;
  since?: string;
  nextCheckAt?: string;
}

/** Per issue, most recently linked first, filtered by `issueKey` when given; a page at a time. */
export interface PanelLinks extends ListEnvelope<PanelIssueLinks> {
  /** Over every issue of the instance, whatever the filter and the page. */
  totals: { links: number; issues: number; conversations: number; stale: number };
  /** The instance has more links than were read (`maxRows`): the counts are of the first ones. */
  truncated: boolean;
}

/**
 * The instance's conversation ↔ issue links counted per issue, searchable by issue key (a
 * case-insensitive prefix). Conversation ids and subjects stay out: counts only.
 */
export async function listPanelLinks(
  request: { tenantId: string; instanceId: string; issueKey?: string; page: ListPageRequest; maxRows?: number },
  deps: { links: Pick<LinkRepository, 'listByTenant'>; pager: Pick<ListPager, 'page'> },
): Promise<PanelLinks> {
  const search = request.issueKey?.trim().toUpperCase() ?? '';
  const maxRows = request.maxRows ?? 50_000;
  const perIssue = new Map<
    string,
    { conversations: Set<string>; stale: number; staleReason?: StaleReason; users: Set<string>; lastLinkedAt: string }
  >();
  const conversations = new Set<string>();
  let links = 0;
  let stale = 0;
  let truncated = false;
  for await (const link of deps.links.listByTenant(request.tenantId)) {
    if (link.instanceId !== request.instanceId) continue;
    if (links >= maxRows) {
      truncated = true;
      break;
    }
    links += 1;
    conversations.add(link.conversationId);
    if (link.stale) stale += 1;
    const entry = perIssue.get(link.issueKey) ?? {
      conversations: new Set<string>(),
      stale: 0,
      users: new Set<string>(),
      lastLinkedAt: link.linkedAt,
    };
    entry.conversations.add(link.conversationId);
    entry.users.add(link.userId);
    if (link.stale) {
      entry.stale += 1;
      if (entry.staleReason === undefined || laterThan(link.staleSince, entry.staleReason.since)) entry.staleReason = staleReasonOf(link);
    }
    if (Date.parse(link.linkedAt) > Date.parse(entry.lastLinkedAt)) entry.lastLinkedAt = link.linkedAt;
    perIssue.set(link.issueKey, entry);
  }
  const issues = [...perIssue]
    .filter(([issueKey]) => search === '' || issueKey.toUpperCase().startsWith(search))
    .map(([issueKey, entry]): PanelIssueLinks => ({
      issueKey,
      conversations: entry.conversations.size,
      stale: entry.stale,
      linkedBy: entry.users.size,
      lastLinkedAt: entry.lastLinkedAt,
      ...(entry.staleReason ? { staleReason: entry.staleReason } : {}),
    }));
  const page = deps.pager.page(
    issues,
    { ...request.page, scope: `panel/links\n${request.tenantId}\n${request.instanceId}\n${search}` },
    (issue) => `${timeKey(issue.lastLinkedAt, 'descending')}\n${issue.issueKey}`,
  );
  return { ...page, totals: { links, issues: perIssue.size, conversations: conversations.size, stale }, truncated };
}

function staleReasonOf(link: LinkEntity): StaleReason {
  return {
    ...(link.staleStatus === undefined ? {} : { status: link.staleStatus }),
    ...(link.staleSince === undefined ? {} : { since: link.staleSince }),
    ...(link.nextCheckAt === undefined ? {} : { nextCheckAt: link.nextCheckAt }),
  };
}

/** Whether `a` is a later time than `b`; a known time is later than none. */
function laterThan(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined) return false;
  return b === undefined || Date.parse(a) > Date.parse(b);
}
