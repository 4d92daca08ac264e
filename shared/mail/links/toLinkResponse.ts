import type { LinkEntity } from '../../platform/storage/links/linkEntity';

export interface LinkResponse {
  conversationId: string;
  instanceId: string;
  issueKey: string;
  linkedAt: string;
  /** The object id of the user who made the link (same tenant as the caller). */
  linkedBy: string;
  stale: boolean;
}

export function toLinkResponse(link: LinkEntity): LinkResponse {
  return {
    conversationId: link.conversationId,
    instanceId: link.instanceId,
    issueKey: link.issueKey,
    linkedAt: link.linkedAt,
    linkedBy: link.userId,
    stale: link.stale ?? false,
  };
}
