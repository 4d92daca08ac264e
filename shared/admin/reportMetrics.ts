import type { QueueName } from '../platform/storage/queueNames';

/**
 * The metric names of the `reports` table. Column names allow letters, digits and `_`
 * only, so queue names lose their dashes.
 */
export const reportMetrics = {
  /** Change notifications that reached the webhook (per tenant: those accepted for its mailboxes). */
  received: 'received',
  dropped: (reason: string) => `dropped_${reason}`,
  poisoned: (queue: QueueName) => `poisoned_${queue.replaceAll('-', '_')}`,
  lifecycle: (event: string) => `lifecycle_${event}`,
} as const;

/** Splits a day's counters into the report's groups. */
export function groupMetrics(counts: Readonly<Record<string, number>>): {
  received: number;
  dropped: Record<string, number>;
  poisoned: number;
  lifecycle: Record<string, number>;
} {
  const grouped = { received: 0, dropped: {} as Record<string, number>, poisoned: 0, lifecycle: {} as Record<string, number> };
  for (const [metric, n] of Object.entries(counts)) {
    if (metric === reportMetrics.received) grouped.received += n;
    else if (metric.startsWith('dropped_')) grouped.dropped[metric.slice('dropped_'.length)] = n;
    else if (metric.startsWith('poisoned_')) grouped.poisoned += n;
    else if (metric.startsWith('lifecycle_')) grouped.lifecycle[metric.slice('lifecycle_'.length)] = n;
  }
  return grouped;
}
