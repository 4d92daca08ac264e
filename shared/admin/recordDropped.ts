import type { ReportCounters } from './ReportCounters';
import { reportMetrics } from './reportMetrics';
import { appMetrics } from '../platform/telemetry/appMetrics';

/**
 * Counts one mail the fan-out dropped on purpose (a draft, an automatic reply, bulk mail, a
 * loop) as a metric and for the tenant's report, under the same `dropped_<reason>` metrics as the webhook's
 * drops. Best effort: false when the count could not be written; the mail's handling stands.
 */
export async function recordDropped(counters: Pick<ReportCounters, 'add'>, tenantId: string, reason: string): Promise<boolean> {
  appMetrics.notificationsDropped('mail', reason);
  try {
    await counters.add(tenantId, { [reportMetrics.dropped(reason)]: 1 });
    return true;
  } catch {
    return false;
  }
}
