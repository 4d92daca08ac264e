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
 * Counts a Graph webhook batch as metrics (at once, in memory) and for the admin report: per
 * tenant what was accepted (change notifications as `received`, lifecycle events by event), for
 * the deployment everything
 * that arrived and every drop by reason. In memory (`ReportCounters` writes the sums every
 * few seconds, off the request path), so it adds no storage request to Graph's budget; false
 * when a count was refused (never the answer to Graph).
 */
export async function recordWebhookBatch(counters: Pick<ReportCounters, 'add'>, outcome: WebhookBatchOutcome): Promise<boolean> {
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

  const adds = [...perTenant].map(([tenantId, counts]) => counters.add(tenantId, counts));
  adds.push(counters.add(DEPLOYMENT_SCOPE, deployment));
  try {
    await Promise.all(adds);
    return true;
  } catch {
    return false;
  }
}
