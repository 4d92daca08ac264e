import type { InvocationContext } from '@azure/functions';
import { recordDropped } from '../shared/admin/recordDropped';
import { AppError } from '../shared/platform/errors/AppError';
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
  if (parsed.data.version === 1) return handleMail(parsed.data, message, context, services);

  const outcome = await processPackedItems({
    items: fromGraphNotificationPack(parsed.data),
    handle: (item) => handleMail(item, item, context, services),
    requeueAlone: (item, error) => {
      const delaySeconds = failureDelaySeconds(services.fanout.retryPolicy);
      context.warn(
        `a notification of a pack failed (${error instanceof AppError ? error.code : 'error'}); put back alone for ${delaySeconds} s`,
      );
      return services.queues.send(queueNames.graphNotifications, item, { visibilityTimeoutSeconds: delaySeconds });
    },
    concurrency: PACK_CONCURRENCY,
  });
  context.log(`pack of ${parsed.data.items.length}: ${outcome.handled} handled, ${outcome.requeued} put back alone`);
};

/** One notification; `asQueued` is what is put back when Graph throttles (the message as it came, or the item alone). */
async function handleMail(notification: GraphNotificationMessage, asQueued: unknown, context: InvocationContext, services: Services) {
  const result = await services.fanout.fanOut(notification, {
    requeue: (_parsed, delaySeconds) =>
      services.queues.send(queueNames.graphNotifications, asQueued, { visibilityTimeoutSeconds: delaySeconds }),
    onWatermarkError: (error) => context.warn(`subscription watermark not moved: ${error instanceof AppError ? error.code : 'error'}`),
    onTrailError: (error) => context.warn(`mail trail not recorded: ${error instanceof AppError ? error.code : 'error'}`),
  });

  switch (result.kind) {
    case 'ignored':
      return context.log(`mail ignored: ${result.reason}`);
    case 'suppressed':
      if (!(await recordDropped(services.admin.reports, notification.tenantId, result.reason)))
        context.warn(`drop count (${result.reason}) not recorded`);
      return context.log(`mail in a linked conversation suppressed: ${result.reason}`);
    case 'notLinked':
      return context.log('mail in no linked conversation');
    case 'requeued':
      return context.log(`Graph throttled; notification put back for ${result.delaySeconds} s`);
    case 'enqueued':
      return context.log(
        `queued ${result.issues} notification(s); ${result.alreadyDelivered} already handled, ${result.staleLinks} stale link(s) skipped`,
      );
  }
}
