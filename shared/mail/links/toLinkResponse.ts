import type { LinkEntity } from '../../platform/storage/links/linkEntity';

export interface LinkResponse {
  conversationId: string;
  instanceId: string;
  issueKey: string;
  linkedAt: string;
  /** The object id of the user who made the link (same tenant as the caller). */
  linkedBy: string;
  /** The shared mailbox it was linked in; absent for the linking user's own mailbox. */
  sharedMailbox?: string;
  stale: boolean;
  /** While stale: Jira's status when it refused the issue, since when, and when the next mail will try again. */
  staleStatus?: number;
  staleSince?: string;
  nextCheckAt?: string;
}

export function toLinkResponse(link: LinkEntity): LinkResponse {
  return {
    conversationId: link.conversationId,
    instanceId: link.instanceId,
    issueKey: link.issueKey,
    linkedAt: link.linkedAt,
    linkedBy: link.userId,
    ...(link.mailboxId === undefined ? {} : { sharedMailbox: link.mailboxId }),
    stale: link.stale ?? false,
    ...(link.stale === true && link.staleStatus !== undefined ? { staleStatus: link.staleStatus } : {}),
    ...(link.stale === true && link.staleSince !== undefined ? { staleSince: link.staleSince } : {}),
    ...(link.stale === true && link.nextCheckAt !== undefined ? { nextCheckAt: link.nextCheckAt } : {}),
  };
}
