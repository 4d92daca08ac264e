import { odata } from '@azure/data-tables';
import type { DeliveryEntity } from '../platform/storage/deliveries/deliveryEntity';
import type { DeliveryRepository } from '../platform/storage/deliveries/DeliveryRepository';
import type { QueueAdmin } from '../platform/storage/QueueAdmin';
import { allQueueNames, poisonQueueName, type QueueName } from '../platform/storage/queueNames';
import { compositeKey } from '../platform/storage/tableKey';
import { isTenantMessage } from '../mail/fanout/replayPoisonMessages';
import { DEPLOYMENT_SCOPE, type ReportCounters } from './ReportCounters';
import { groupMetrics } from './reportMetrics';
import { lastUtcDays, toUtcDay } from './utcDay';

export interface ReportDay {
  /** UTC, `YYYY-MM-DD`. */
  day: string;
  /** Change notifications accepted for the tenant's mailboxes. */
  received: number;
  /** Notifications the webhook dropped, all tenants of the deployment (most drops have no tenant), and mails of the tenant the fan-out dropped (`draft`, `autoReply`, `bulk`, `loop`). */
  dropped: number;
  droppedByReason: Record<string, number>;
  /** Jira notifications of this instance sent (watchers notified, or none left to notify). */
  delivered: number;
  /** Jira notifications of this instance given up, with a reason in `latestFailures`. */
  failed: number;
  /** Messages of the tenant moved to a poison queue. */
  poisoned: number;
  lifecycle: Record<string, number>;
}

export interface ReportFailure {
  issueKey: string;
  reason: string;
  lastStatus?: number;
  attempts: number;
  at: string;
}

/** Azure's peek shows at most this many messages of a queue, the first ones. */
export const POISON_PEEK_LIMIT = 32;

export interface PoisonQueueCount {
  queue: QueueName;
  poisonQueue: string;
  /** The tenant's messages among the first `POISON_PEEK_LIMIT` of the poison queue (other tenants' are not counted). */
  count: number;
  /** True when the poison queue held no more than those: `count` is then all of the tenant's; else at least that. */
  complete: boolean;
}

/** What the panel's report shows. Counts, issue keys and reason codes: never what a mail said. */
export interface ActivityReport {
  days: ReportDay[];
  totals: { received: number; dropped: number; delivered: number; failed: number; poisoned: number };
  latestFailures: ReportFailure[];
  poisonQueues: PoisonQueueCount[];
  /** True when the instance had more deliveries in the period than were read. */
  deliveriesTruncated: boolean;
}

export interface ActivityReportDeps {
  counters: Pick<ReportCounters, 'read'>;
  deliveries: Pick<DeliveryRepository, 'query'>;
  queues: Pick<QueueAdmin, 'peek'>;
}

export interface ActivityReportRequest {
  tenantId: string;
  instanceId: string;
  /** How many UTC days, today included. */
  days: number;
  nowMs: number;
  /** Default 20. */
  failures?: number;
  /** Bound on the delivery rows read. Default 50,000. */
  maxDeliveries?: number;
}

/**
 * The per-day report of one instance: the `reports` counters (received, dropped, poisoned,
 * lifecycle events) beside the instance's `deliveries` rows of the period (delivered,
 * failed, and the latest failures with their reason), and the tenant's messages in the
 * poison queues as they are now.
 */
export async function buildActivityReport(request: ActivityReportRequest, deps: ActivityReportDeps): Promise<ActivityReport> {
  const dayList = lastUtcDays(request.nowMs, request.days);
  const firstDay = dayList[0] ?? toUtcDay(request.nowMs);
  const lastDay = dayList[dayList.length - 1] ?? firstDay;
  const [tenantCounts, deploymentCounts, deliveries, poisonQueues] = await Promise.all([
    deps.counters.read(request.tenantId, firstDay, lastDay),
    deps.counters.read(DEPLOYMENT_SCOPE, firstDay, lastDay),
    readDeliveries(deps.deliveries, request, `${firstDay}T00:00:00.000Z`),
    Promise.all(allQueueNames.map((queue) => countPoisoned(deps.queues, queue, request.tenantId))),
  ]);

  const days = new Map<string, ReportDay>();
  for (const day of dayList) {
    const tenant = groupMetrics(tenantCounts.get(day) ?? {});
    const deployment = groupMetrics(deploymentCounts.get(day) ?? {});
    days.set(day, {
      day,
      received: tenant.received,
      // The webhook's drops count for the deployment (most have no tenant), the fan-out's for the tenant.
      dropped: [...Object.values(deployment.dropped), ...Object.values(tenant.dropped)].reduce((sum, n) => sum + n, 0),
      droppedByReason: mergeCounts(deployment.dropped, tenant.dropped),
      delivered: 0,
      failed: 0,
      poisoned: tenant.poisoned,
      lifecycle: tenant.lifecycle,
    });
  }
  const failures: DeliveryEntity[] = [];
  for (const row of deliveries.rows) {
    const day = days.get(toUtcDay(Date.parse(row.updatedAt)));
    if (!day) continue;
    if (row.status === 'sent') day.delivered += 1;
    if (row.status === 'failed') {
      day.failed += 1;
      failures.push(row);
    }
  }
  const latestFailures = failures
    .sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt))
    .slice(0, request.failures ?? 20)
    .map((row): ReportFailure => ({
      issueKey: row.issueKey,
      reason: row.reason ?? 'unknown',
      ...(row.lastStatus === undefined ? {} : { lastStatus: row.lastStatus }),
      attempts: row.attempts,
      at: row.updatedAt,
    }));

  const list = [...days.values()];
  const sum = (pick: (day: ReportDay) => number) => list.reduce((total, day) => total + pick(day), 0);
  return {
    days: list,
    totals: {
      received: sum((d) => d.received),
      dropped: sum((d) => d.dropped),
      delivered: sum((d) => d.delivered),
      failed: sum((d) => d.failed),
      poisoned: sum((d) => d.poisoned),
    },
    latestFailures,
    poisonQueues,
    deliveriesTruncated: deliveries.truncated,
  };
}

/**
 * The tenant's messages in a poison queue, by peeking: no message is hidden or touched.
 * A peek sees the first 32 messages only; a deployment-wide count would tell a tenant how
 * much went wrong for the others.
 */
async function countPoisoned(queues: Pick<QueueAdmin, 'peek'>, queue: QueueName, tenantId: string): Promise<PoisonQueueCount> {
  const poisonQueue = poisonQueueName(queue);
  const peeked = await queues.peek(poisonQueue, POISON_PEEK_LIMIT);
  const ofTenant = isTenantMessage(tenantId);
  return {
    queue,
    poisonQueue,
    count: peeked.filter((message) => ofTenant(message.body)).length,
    complete: peeked.length < POISON_PEEK_LIMIT,
  };
}

async function readDeliveries(
  repository: Pick<DeliveryRepository, 'query'>,
  request: ActivityReportRequest,
  since: string,
): Promise<{ rows: DeliveryEntity[]; truncated: boolean }> {
  // The tenant's partitions are `<tenant>.<hash>`: the range [`<tenant>.`, `<tenant>/`).
  const tenant = compositeKey(request.tenantId);
  const filter = odata`PartitionKey ge ${`${tenant}.`} and PartitionKey lt ${`${tenant}/`} and instanceId eq ${request.instanceId} and updatedAt ge ${new Date(since)}`;
  const limit = request.maxDeliveries ?? 50_000;
  const rows: DeliveryEntity[] = [];
  for await (const row of repository.query(filter)) {
    if (rows.length >= limit) return { rows, truncated: true };
    rows.push(row);
  }
  return { rows, truncated: false };
}

function mergeCounts(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const merged = { ...a };
  for (const [key, n] of Object.entries(b)) merged[key] = (merged[key] ?? 0) + n;
  return merged;
}
