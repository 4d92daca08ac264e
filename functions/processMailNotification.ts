import { recordDropped } from '../shared/admin/recordDropped';
import { AppError } from '../shared/platform/errors/AppError';
import { problemCodeOf } from '../shared/platform/errors/problemCodeOf';
import type { Logger } from '../shared/platform/log/Logger';
import { processPackedItems } from '../shared/platform/storage/processPackedItems';
import { queueNames } from '../shared/platform/storage/queueNames';
import { failureDelaySeconds } from '../shared/mail/fanout/nextRetry';
import { fromGraphNotificationPack } from '../shared/mail/webhooks/fromGraphNotificationPack';
import type { GraphNotificationMessage } from '../shared/mail/webhooks/graphNotificationMessage';
import { graphNotificationsQueueMessageSchema } from '../shared/mail/webhooks/graphNotificationPack';
import type { QueueServiceHandler } from './FunctionDefinition';
import type { Services } from './Services';

/**
 * Mails of one pack read at once: its items are often of one mailbox, and Graph allows 4
 * concurrent requests per app and mailbox (Outlook); the host runs other messages beside.
 */
const PACK_CONCURRENCY = 4;

/**
 * Queue `graph-notifications`: a new mail in a subscribed mailbox becomes one `jira-notify`
 * message per issue its conversation is linked to. Most mails are in no linked
 * conversation; for them this costs one table read (and a Graph read unless the
 * notification carried it). A pack (version 2, several notifications of one webhook POST)
 * is handled item by item: an item that fails goes back alone, after the fan-out's backoff,
 * as a message of its own that the host then retries and poisons on its own; the others
 * complete. Logs outcomes and counts, never mail content.
 */
export const processMailNotification: QueueServiceHandler = async (message, context, services) => {
  const parsed = graphNotificationsQueueMessageSchema.safeParse(message);
  // Retried, then kept in the poison queue for a look (and a replay after a fix).
  if (!parsed.success) throw new AppError({ code: 'invalid_body', detail: 'not a graph-notifications message of a known version' });
  // The message exactly as it came when put back, not the parsed copy: nothing of it is dropped.
  const log = services.logs.of(context, { queue: queueNames.graphNotifications });
  if (parsed.data.version === 1) return handleMail(parsed.data, message, log, services);

  const outcome = await processPackedItems({
    items: fromGraphNotificationPack(parsed.data),
    handle: (item) => handleMail(item, item, log, services),
    requeueAlone: (item, error) => {
      const delaySeconds = failureDelaySeconds(services.fanout.retryPolicy);
      log.warn(`a notification of a pack failed (${problemCodeOf(error)}); put back alone for ${delaySeconds} s`, {
        tenantId: item.tenantId,
        problemCode: problemCodeOf(error),
      });
      return services.queues.send(queueNames.graphNotifications, item, { visibilityTimeoutSeconds: delaySeconds });
    },
    concurrency: PACK_CONCURRENCY,
  });
  log.info(`pack of ${parsed.data.items.length}: ${outcome.handled} handled, ${outcome.requeued} put back alone`);
};

/** One notification; `asQueued` is what is put back when Graph throttles (the message as it came, or the item alone). */
async function handleMail(notification: GraphNotificationMessage, asQueued: unknown, invocationLog: Logger, services: Services) {
  const log = invocationLog.with({ tenantId: notification.tenantId });
  const result = await services.fanout.fanOut(notification, {
    requeue: (_parsed, delaySeconds) =>
      services.queues.send(queueNames.graphNotifications, asQueued, { visibilityTimeoutSeconds: delaySeconds }),
    onWatermarkError: (error) =>
      log.warn(`subscription watermark not moved: ${problemCodeOf(error)}`, { problemCode: problemCodeOf(error) }),
    onTrailError: (error) => log.warn(`mail trail not recorded: ${problemCodeOf(error)}`, { problemCode: problemCodeOf(error) }),
  });

  switch (result.kind) {
    case 'ignored':
      return log.info(`mail ignored: ${result.reason}`);
    case 'suppressed':
      if (!(await recordDropped(services.admin.reports, notification.tenantId, result.reason)))
        log.warn(`drop count (${result.reason}) not recorded`);
      return log.info(`mail in a linked conversation suppressed: ${result.reason}`);
    case 'notLinked':
      return log.info('mail in no linked conversation');
    case 'requeued':
      return log.info(`Graph throttled; notification put back for ${result.delaySeconds} s`);
    case 'enqueued':
      return log.info(
        `queued ${result.issues} notification(s); ${result.alreadyDelivered} already handled, ${result.staleLinks} stale link(s) skipped`,
      );
  }
}
