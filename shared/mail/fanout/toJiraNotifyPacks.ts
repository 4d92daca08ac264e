import { packQueueMessages } from '../../platform/storage/packQueueMessages';
import type { JiraNotifyMessage } from './jiraNotifyMessage';
import type { JiraNotifyPack } from './jiraNotifyPack';

/**
 * The `jira-notify` messages for what the fan-out queues: first tries of one mail (same
 * tenant, mailbox, mail and time) share as few messages as fit, in order. A retry or a
 * digest flush, and an issue with nobody to share with, stays a version 1 message.
 */
export function toJiraNotifyPacks(messages: readonly JiraNotifyMessage[]): (JiraNotifyMessage | JiraNotifyPack)[] {
  const out: (JiraNotifyMessage | JiraNotifyPack)[] = [];
  const groups = new Map<string, JiraNotifyMessage[]>();
  for (const message of messages) {
    if (message.digest || message.retry.failed > 0 || message.retry.throttled > 0) {
      out.push(message);
      continue;
    }
    const key = JSON.stringify([message.tenantId, message.mailboxUserId, message.enqueuedAt, message.mail]);
    const group = groups.get(key);
    if (group) group.push(message);
    else groups.set(key, [message]);
  }
  for (const group of groups.values()) {
    const first = group[0] as JiraNotifyMessage;
    if (group.length === 1) {
      out.push(first);
      continue;
    }
    out.push(
      ...packQueueMessages(
        group.map((message) => ({
          instanceId: message.instanceId,
          issueKey: message.issueKey,
          ...(message.probe === undefined ? {} : { probe: message.probe }),
        })),
        (items): JiraNotifyPack => ({
          version: 2,
          tenantId: first.tenantId,
          mailboxUserId: first.mailboxUserId,
          mail: first.mail,
          enqueuedAt: first.enqueuedAt,
          items,
        }),
      ),
    );
  }
  return out;
}
