import type { Caller } from '../../auth/Caller';
import { AppError } from '../../platform/errors/AppError';
import type { Clock } from '../../platform/clock';
import type { InstanceRepository } from '../../platform/storage/instances/InstanceRepository';
import type { LinkEntity } from '../../platform/storage/links/linkEntity';
import type { LinkRepository } from '../../platform/storage/links/LinkRepository';
import type { JiraUserClient } from '../../jira/JiraUserClient';
import { clearLinkStale } from '../fanout/markLinkStale';
import type { SubscriptionManager } from '../subscriptions/SubscriptionManager';
import { linkMailboxOf } from './linkMailboxOf';
import type { LinkOwnership } from './LinkOwnership';
import type { LinkCreateRequest, LinkRequest } from './linkSchemas';
import { verifySharedMailboxAccess, type SharedMailboxCheck } from './verifySharedMailboxAccess';

export interface LinkServiceInit {
  links: Pick<LinkRepository, 'get' | 'getVersioned' | 'insert' | 'update' | 'delete' | 'listByConversation'>;
  ownership: Pick<LinkOwnership, 'ownsAny'>;
  instances: Pick<InstanceRepository, 'get'>;
  /** Asks Jira, as the linking user, whether the issue is there for them. */
  jira: Pick<JiraUserClient, 'issueAccess'>;
  subscriptions: Pick<SubscriptionManager, 'ensureForMailbox' | 'removeForMailbox'>;
  /** Graph, to ask as the caller whether a shared mailbox is theirs to read. */
  graph: SharedMailboxCheck['graph'];
  clock: Clock;
}

export interface RemoveResult {
  /** Mailboxes whose subscription went with their last link. */
  subscriptionsRemoved: number;
  /** A subscription could not be removed now; the renewal timer removes it later. */
  cleanupFailed: boolean;
}

/**
 * Links between a conversation and Jira issues, always inside the caller's tenant: the
 * tenant is the first part of every key, so no request can name another tenant's link.
 * A link is the tenant's (anyone in it who sees the conversation sees its issues); the
 * mailbox of whoever made it is the one kept subscribed.
 */
export class LinkService {
  constructor(private readonly init: LinkServiceInit) {}

  /**
   * Records the link (idempotent) and makes sure the caller's mailbox is subscribed. Jira is
   * asked first, with the caller's own authorization, whether the caller can see the issue:
   * a link makes Jira mail the issue's watchers, so nobody may aim it at an issue they
   * cannot browse, or without any Jira access at all. Linking an existing link again
   * clears its stale flag: Jira has just shown the issue. With `sharedMailbox`, Graph is
   * asked first, as the caller (`userAssertion`, on-behalf-of), whether that mailbox holds
   * the conversation for them; the link then belongs to the shared mailbox, which is the
   * one subscribed.
   */
  async add(caller: Caller, request: LinkCreateRequest, userAssertion?: string): Promise<{ created: boolean; link: LinkEntity }> {
    const instance = await this.init.instances.get({ tenantId: caller.tenantId, instanceId: request.instanceId });
    if (!instance) throw new AppError({ code: 'instance_not_found' });
    const { sharedMailbox, ...linkRequest } = request;
    // Naming one's own mailbox is no shared mailbox.
    const mailboxId = sharedMailbox === undefined || sharedMailbox === caller.userId.toLowerCase() ? undefined : sharedMailbox;
    if (mailboxId !== undefined) {
      if (!userAssertion) throw new AppError({ code: 'unauthenticated', detail: 'a shared mailbox is checked with your own token' });
      await verifySharedMailboxAccess({
        graph: this.init.graph,
        tenantId: caller.tenantId,
        userAssertion,
        mailboxId,
        conversationId: request.conversationId,
      });
    }
    const access = await this.init.jira.issueAccess(caller, request.instanceId, request.issueKey);
    if (access.kind === 'notFound')
      throw new AppError({ code: 'jira_issue_not_found', detail: 'the issue does not exist in Jira, or you may not browse it' });
    if (access.kind === 'forbidden') throw new AppError({ code: 'jira_issue_forbidden', detail: 'Jira refuses you access to the issue' });
    const key = { tenantId: caller.tenantId, ...linkRequest };
    const candidate: LinkEntity = {
      ...key,
      userId: caller.userId,
      ...(mailboxId === undefined ? {} : { mailboxId }),
      linkedAt: new Date(this.init.clock.now()).toISOString(),
    };
    const created = await this.init.links.insert(candidate);
    const existing = created ? candidate : await this.init.links.get(key);
    const link = existing?.stale === true ? ((await clearLinkStale(this.init.links, key)) ?? existing) : (existing ?? candidate);
    // Also for an existing link: a retry after a failed subscription must be able to finish the job.
    await this.init.subscriptions.ensureForMailbox(caller.tenantId, linkMailboxOf(link));
    return { created, link };
  }

  async list(caller: Caller, conversationId: string): Promise<LinkEntity[]> {
    const links: LinkEntity[] = [];
    for await (const link of this.init.links.listByConversation(caller.tenantId, conversationId)) links.push(link);
    return links.sort((a, b) => a.linkedAt.localeCompare(b.linkedAt));
  }

  /** Removes one link; throws `link_not_found` when the caller's tenant has no such link. */
  async remove(caller: Caller, request: LinkRequest): Promise<RemoveResult> {
    const key = { tenantId: caller.tenantId, ...request };
    const link = await this.init.links.get(key);
    if (!link) throw new AppError({ code: 'link_not_found' });
    await this.init.links.delete(key);
    const result: RemoveResult = { subscriptionsRemoved: 0, cleanupFailed: false };
    for (const mailboxId of new Set([linkMailboxOf(link), caller.userId])) {
      try {
        if (await this.init.ownership.ownsAny(caller.tenantId, mailboxId)) continue;
        if (await this.init.subscriptions.removeForMailbox(caller.tenantId, mailboxId)) result.subscriptionsRemoved += 1;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        result.cleanupFailed = true;
      }
    }
    return result;
  }
}
