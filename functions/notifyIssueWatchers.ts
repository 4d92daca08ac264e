import { AppError } from '../shared/platform/errors/AppError';
import { problemCodeOf } from '../shared/platform/errors/problemCodeOf';
import type { Logger } from '../shared/platform/log/Logger';
import type { LogAttributes } from '../shared/platform/log/logAttributes';
import { processPackedItems } from '../shared/platform/storage/processPackedItems';
import { queueNames } from '../shared/platform/storage/queueNames';
import { fromJiraNotifyPack } from '../shared/mail/fanout/fromJiraNotifyPack';
import type { JiraNotifyMessage } from '../shared/mail/fanout/jiraNotifyMessage';
import { jiraNotifyQueueMessageSchema } from '../shared/mail/fanout/jiraNotifyPack';
import { failureDelaySeconds } from '../shared/mail/fanout/nextRetry';
import type { NotifyWatchersResult } from '../shared/mail/fanout/notifyWatchers';
import type { QueueServiceHandler } from './FunctionDefinition';
import { appMetrics } from '../shared/platform/telemetry/appMetrics';
import type { Services } from './Services';

/**
 * Queue `jira-notify`: one (mail, linked issue) pair, or one mail for several of its issues
 * (version 2). Jira sends each issue's watchers, minus the mail's sender, a notification
 * about the mail; the `deliveries` ledger makes that happen once in practice. A throttled
 * Jira gets its `Retry-After` through a delayed copy of that issue's message (this one
 * completes, so it does not count toward poison); failures get a few delayed copies with
 * backoff, then the host's retries and its poison queue. An issue of a pack that still
 * fails goes back alone, so those retries and the poison queue are its own.
 */
export const notifyIssueWatchers: QueueServiceHandler = async (message, context, services) => {
  const parsed = jiraNotifyQueueMessageSchema.safeParse(message);
  if (!parsed.success) throw new AppError({ code: 'invalid_body', detail: 'not a jira-notify message of a known version' });
  const log = services.logs.of(context, { queue: queueNames.jiraNotify });
  if (parsed.data.version === 1) return notifyIssue(parsed.data, log, services);

  // The mail's issues together: their delivery rows are claimed in one table transaction and
  // recorded in another (a storage failure there throws, and the host retries the lot).
  const items = fromJiraNotifyPack(parsed.data);
  const settled = await services.fanout.notifyMail(items);
  const outcome = await processPackedItems({
    items: items.map((item, index) => ({ item, result: settled[index] })),
    handle: async ({ item, result }) => {
      if (result?.status !== 'fulfilled') throw result?.reason;
      logResult(item, result.value, log);
    },
    requeueAlone: ({ item }, error) => {
      const delaySeconds = failureDelaySeconds(services.fanout.retryPolicy);
      log.warn(`failed in a pack (${problemCodeOf(error)}); put back alone for ${delaySeconds} s`, {
        ...issueOf(item),
        problemCode: problemCodeOf(error),
      });
      return services.queues.send(queueNames.jiraNotify, item, { visibilityTimeoutSeconds: delaySeconds });
    },
  });
  log.info(`pack of ${parsed.data.items.length} issue(s): ${outcome.handled} handled, ${outcome.requeued} put back alone`);
};

async function notifyIssue(message: JiraNotifyMessage, log: Logger, services: Services): Promise<void> {
  logResult(message, await services.fanout.notify(message), log);
}

/** The ids of a record about one issue: never the mail, which the message also carries. */
function issueOf(message: JiraNotifyMessage): LogAttributes {
  return { tenantId: message.tenantId, instanceId: message.instanceId, issueKey: message.issueKey };
}

function logResult(message: JiraNotifyMessage, result: NotifyWatchersResult, invocationLog: Logger): void {
  const log = invocationLog.with(issueOf(message));
  switch (result.kind) {
    case 'sent':
      appMetrics.deliverySent();
      return log.info(
        `notified ${result.recipients} watcher(s); dropped sender ${result.droppedSender}, inactive ${result.droppedInactive}`,
      );
    case 'sentWithoutRecipients':
      return log.info(`no watcher left to notify (sender ${result.droppedSender}, inactive ${result.droppedInactive})`);
    case 'held':
      return log.info(`held for the conversation's digest (a notification went out in this window)`);
    case 'alreadyDone':
      return log.info(`already ${result.status}`);
    case 'failed':
      appMetrics.deliveryFailed(result.reason);
      return log.warn(`not notified: ${result.reason}`, { problemCode: result.reason });
    case 'requeued':
      return log.info(
        `put back for ${result.delaySeconds} s (${result.cause}${result.status === undefined ? '' : `, Jira ${result.status}`})`,
      );
  }
}
