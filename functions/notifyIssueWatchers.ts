import { AppError } from '../shared/platform/errors/AppError';
import { jiraNotifyMessageSchema } from '../shared/mail/fanout/jiraNotifyMessage';
import type { QueueServiceHandler } from './FunctionDefinition';
import { appMetrics } from '../shared/platform/telemetry/appMetrics';

/**
 * Queue `jira-notify`: one (mail, linked issue) pair. Jira sends the issue's watchers,
 * minus the mail's sender, a notification about the mail; the `deliveries` ledger makes
 * that happen once in practice. A throttled Jira gets its `Retry-After` through a delayed
 * copy of the message (this one completes, so it does not count toward poison); failures
 * get a few delayed copies with backoff, then the host's retries and its poison queue.
 */
export const notifyIssueWatchers: QueueServiceHandler = async (message, context, services) => {
  const parsed = jiraNotifyMessageSchema.safeParse(message);
  if (!parsed.success) throw new AppError({ code: 'invalid_body', detail: 'not a jira-notify message of a known version' });

  const result = await services.fanout.notify(parsed.data);

  const issue = `${parsed.data.instanceId}/${parsed.data.issueKey}`;
  switch (result.kind) {
    case 'sent':
      appMetrics.deliverySent();
      return context.log(
        `${issue}: notified ${result.recipients} watcher(s); dropped sender ${result.droppedSender}, inactive ${result.droppedInactive}`,
      );
    case 'sentWithoutRecipients':
      return context.log(`${issue}: no watcher left to notify (sender ${result.droppedSender}, inactive ${result.droppedInactive})`);
    case 'held':
      return context.log(`${issue}: held for the conversation's digest (a notification went out in this window)`);
    case 'alreadyDone':
      return context.log(`${issue}: already ${result.status}`);
    case 'failed':
      appMetrics.deliveryFailed(result.reason);
      return context.warn(`${issue}: not notified: ${result.reason}`);
    case 'requeued':
      return context.log(
        `${issue}: put back for ${result.delaySeconds} s (${result.cause}${result.status === undefined ? '' : `, Jira ${result.status}`})`,
      );
  }
};
