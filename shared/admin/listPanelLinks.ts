import type { LinkRepository } from '../platform/storage/links/LinkRepository';

export interface PanelIssueLinks {
  issueKey: string;
  /** Conversations linked to the issue. */
  conversations: number;
  /** Of those, links Jira no longer knows the issue of. */
  stale: number;
  /** Distinct users who linked. */
  linkedBy: number;
  lastLinkedAt: string;
}

export interface PanelLinks {
  totals: { links: number; issues: number; conversations: number; stale: number };
  /** Per issue, most recently linked first, filtered by `issueKey` when given. */
  issues: PanelIssueLinks[];
  truncated: boolean;
}

/**
 * The instance's conversation ↔ issue links counted per issue, searchable by issue key (a
 * case-insensitive prefix). Conversation ids and subjects stay out: counts only.
 */
export async function listPanelLinks(
  request: { tenantId: string; instanceId: string; issueKey?: string; limit?: number; maxRows?: number },
  deps: { links: Pick<LinkRepository, 'listByTenant'> },
): Promise<PanelLinks> {
  const search = request.issueKey?.trim().toUpperCase() ?? '';
  const maxRows = request.maxRows ?? 50_000;
  const perIssue = new Map<string, { conversations: Set<string>; stale: number; users: Set<string>; lastLinkedAt: string }>();
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
    if (link.stale) entry.stale += 1;
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
    }))
    .sort((a, b) => Date.parse(b.lastLinkedAt) - Date.parse(a.lastLinkedAt) || a.issueKey.localeCompare(b.issueKey))
    .slice(0, request.limit ?? 200);
  return { totals: { links, issues: perIssue.size, conversations: conversations.size, stale }, issues, truncated };
}
