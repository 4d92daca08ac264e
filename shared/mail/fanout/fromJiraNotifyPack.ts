import type { JiraNotifyMessage } from './jiraNotifyMessage';
import type { JiraNotifyPack } from './jiraNotifyPack';

/** The pack's issues as the version 1 messages they stand for, in order, each with no retry yet. */
export function fromJiraNotifyPack(pack: JiraNotifyPack): JiraNotifyMessage[] {
  return pack.items.map((item) => ({
    version: 1,
    tenantId: pack.tenantId,
    instanceId: item.instanceId,
    issueKey: item.issueKey,
    mailboxUserId: pack.mailboxUserId,
    mail: pack.mail,
    enqueuedAt: pack.enqueuedAt,
    retry: { throttled: 0, failed: 0 },
    ...(item.probe === undefined ? {} : { probe: item.probe }),
  }));
}
