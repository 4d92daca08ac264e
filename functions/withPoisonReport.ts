import { recordPoisoned } from '../shared/admin/recordPoisoned';
import { poisonQueueName, queueNames, type QueueName } from '../shared/platform/storage/queueNames';
import type { QueueServiceHandler } from './FunctionDefinition';
import { queueMessageIds } from './queueMessageIds';
import { appMetrics } from '../shared/platform/telemetry/appMetrics';

/** host.json `extensions.queues.maxDequeueCount`: after this many failed attempts the host moves a message to poison. */
export const MAX_DEQUEUE_COUNT = 5;

/**
 * Wraps a queue function so that the failure of a message's last attempt — after which
 * the host moves it to `<queue>-poison`, with no code of ours running — is counted for
 * the admin report. The handler's error is rethrown unchanged: the host still decides.
 */
export function withPoisonReport(queue: QueueName, handler: QueueServiceHandler, maxDequeueCount = MAX_DEQUEUE_COUNT): QueueServiceHandler {
  return async (message, context, services) => {
    try {
      await handler(message, context, services);
    } catch (error) {
      const dequeueCount = Number(context.triggerMetadata?.dequeueCount);
      if (Number.isInteger(dequeueCount) && dequeueCount >= maxDequeueCount) {
        const { tenantId, instanceId } = queueMessageIds(message);
        const log = services.logs.of(context, { queue, tenantId, instanceId });
        // The operators' poison alert (infra/modules/alerts.bicep) matches this prefix: storage has no per-queue depth metric.
        log.warn(`poison: a message of ${queue} failed its last attempt (${dequeueCount}) and goes to ${poisonQueueName(queue)}`);
        // A jira-notify message given up by the host is a delivery that failed for good.
        if (queue === queueNames.jiraNotify) appMetrics.deliveryFailed('poison');
        if (!(await recordPoisoned(services.admin.reports, queue, message))) log.warn(`poison count of ${queue} not recorded`);
      }
      throw error;
    }
  };
}
