import type { QueueName } from '../platform/storage/queueNames';
import { DEPLOYMENT_SCOPE, type ReportCounters } from './ReportCounters';
import { reportMetrics } from './reportMetrics';

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Counts a message the host is about to move to `<queue>-poison` (its last attempt failed).
 * Our messages name their tenant; one that does not (or is not ours) counts for the
 * deployment. Never throws: the handler's own error is what the host must see.
 */
export async function recordPoisoned(counters: Pick<ReportCounters, 'add'>, queue: QueueName, message: unknown): Promise<boolean> {
  const tenantId = typeof message === 'object' && message !== null && 'tenantId' in message ? message.tenantId : undefined;
  const scope = typeof tenantId === 'string' && TENANT_ID.test(tenantId) ? tenantId : DEPLOYMENT_SCOPE;
  try {
    await counters.add(scope, { [reportMetrics.poisoned(queue)]: 1 });
    return true;
  } catch {
    return false;
  }
}
