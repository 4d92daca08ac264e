import { recordDropped } from '../shared/admin/recordDropped';
import { AppError } from '../shared/platform/errors/AppError';
import { queueNames } from '../shared/platform/storage/queueNames';
import { graphNotificationMessageSchema } from '../shared/mail/webhooks/graphNotificationMessage';
import type { QueueServiceHandler } from './FunctionDefinition';

/**
 * Queue `graph-notifications`: a new mail in a subscribed mailbox becomes one `jira-notify`
 * message per issue its conversation is linked to. Most mails are in no linked
 * conversation; for them this costs one table read (and a Graph read unless the
 * notification carried the mail). Logs outcomes and counts, never mail content.
 */
export const processMailNotification: QueueServiceHandler = async (message, context, services) => {
  const parsed = graphNotificationMessageSchema.safeParse(message);
  // Retried, then kept in the poison queue for a look (and a replay after a fix).
  if (!parsed.success) throw new AppError({ code: 'invalid_body', detail: 'not a graph-notifications message of a known version' });

  const result = await services.fanout.fanOut(parsed.data, {
    // The message exactly as it came, not the parsed copy: nothing of it is dropped.
    requeue: (_parsed, delaySeconds) =>
      services.queues.send(queueNames.graphNotifications, message, { visibilityTimeoutSeconds: delaySeconds }),
    onWatermarkError: (error) => context.warn(`subscription watermark not moved: ${error instanceof AppError ? error.code : 'error'}`),
    onTrailError: (error) => context.warn(`mail trail not recorded: ${error instanceof AppError ? error.code : 'error'}`),
  });

  switch (result.kind) {
    case 'ignored':
      return context.log(`mail ignored: ${result.reason}`);
    case 'suppressed':
      if (!(await recordDropped(services.admin.reports, parsed.data.tenantId, result.reason)))
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
};
