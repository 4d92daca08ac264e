import type { DropCounts } from '../mail/webhooks/DropCounts';
import { DEPLOYMENT_SCOPE, type ReportCounters } from './ReportCounters';
import { reportMetrics } from './reportMetrics';
import { appMetrics } from '../platform/telemetry/appMetrics';

export interface WebhookBatchOutcome {
  kind: 'notifications' | 'lifecycle';
  /** The items accepted and queued; `tenantId` comes from our subscription row. */
  messages: readonly { tenantId: string; lifecycleEvent?: string }[];
  /** Why the other items were not queued. Most drops happen before a tenant is known, so they count for the deployment. */
  dropped: DropCounts;
}

/**
 * Counts a Graph webhook batch as metrics (at once, in memory) and for the admin report: per tenant what was accepted (change
 * notifications as `received`, lifecycle events by event), for the deployment everything
 * that arrived and every drop by reason. Best effort and bounded: the webhook has already
 * queued the batch and must answer Graph within its budget, so a slow or failing counter
 * write is given up (false) rather than delaying or failing the answer.
 */
export async function recordWebhookBatch(
  counters: Pick<ReportCounters, 'add'>,
  outcome: WebhookBatchOutcome,
  budgetMs = 500,
): Promise<boolean> {
  appMetrics.notificationsAccepted(outcome.kind, outcome.messages.length);
  for (const [reason, n] of Object.entries(outcome.dropped)) appMetrics.notificationsDropped(outcome.kind, reason, n ?? 0);
  const perTenant = new Map<string, Record<string, number>>();
  for (const message of outcome.messages) {
    const metric = outcome.kind === 'notifications' ? reportMetrics.received : reportMetrics.lifecycle(message.lifecycleEvent ?? 'unknown');
    const counts = perTenant.get(message.tenantId) ?? {};
    counts[metric] = (counts[metric] ?? 0) + 1;
    perTenant.set(message.tenantId, counts);
  }
  const deployment: Record<string, number> = {};
  let droppedTotal = 0;
  for (const [reason, n] of Object.entries(outcome.dropped)) {
    if (!n) continue;
    deployment[reportMetrics.dropped(reason)] = n;
    droppedTotal += n;
  }
  if (outcome.kind === 'notifications') deployment[reportMetrics.received] = outcome.messages.length + droppedTotal;

  const writes = [...perTenant].map(([tenantId, counts]) => counters.add(tenantId, counts));
  writes.push(counters.add(DEPLOYMENT_SCOPE, deployment));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(1, budgetMs));
    timer.unref();
  });
  try {
    return await Promise.race([Promise.all(writes).then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
