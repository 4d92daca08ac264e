import { AppError } from '../errors/AppError';
import type { Clock } from '../runtime/Clock';
import { METRIC_NAME } from './reportEntity';
import type { ReportRepository } from './ReportRepository';
import { toUtcDay } from './utcDay';

/** The scope of counts that belong to no tenant, e.g. a notification for an unknown subscription. */
export const DEPLOYMENT_SCOPE = '_deployment';

export interface ReportCountersInit {
  repository: Pick<ReportRepository, 'getVersioned' | 'insert' | 'update' | 'listDays'>;
  clock: Clock;
  /** Rows per day and scope that writers spread over. Default 8. */
  shards?: number;
  random?: () => number;
}

const MAX_ATTEMPTS = 10;
const BACKOFF_BASE_MS = 5;

/**
 * Daily counters for the admin panel's report (what arrived, what was dropped and why,
 * what went to poison): counts only, never what a mail said. An increment is a read and
 * an ETag-conditional write of one of a few shard rows picked at random; when another
 * writer got there first it moves to another shard after a short random pause.
 */
export class ReportCounters {
  private readonly repository: ReportCountersInit['repository'];
  private readonly clock: Clock;
  private readonly shards: number;
  private readonly random: () => number;

  constructor(init: ReportCountersInit) {
    this.repository = init.repository;
    this.clock = init.clock;
    this.shards = Math.max(1, Math.trunc(init.shards ?? 8));
    this.random = init.random ?? Math.random;
  }

  /** Adds the counts (metric → n, zeros skipped) to the scope's figures of the day of `atMs` (default now). */
  async add(scope: string, counts: Readonly<Record<string, number>>, atMs?: number): Promise<void> {
    const increments = Object.entries(counts).filter(([, n]) => n !== 0);
    if (increments.length === 0) return;
    for (const [metric, n] of increments) {
      if (!METRIC_NAME.test(metric) || !Number.isSafeInteger(n) || n < 0) throw new AppError({ code: 'internal', detail: 'a report increment is not a metric name with a count' });
    }
    const now = this.clock.now();
    const day = toUtcDay(atMs ?? now);
    const updatedAt = new Date(now).toISOString();
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      if (attempt > 0) await pause(this.random() * BACKOFF_BASE_MS * 2 ** Math.min(attempt, 6));
      const key = { scope, day, shard: Math.floor(this.random() * this.shards) % this.shards };
      const existing = await this.repository.getVersioned(key);
      if (!existing) {
        if (await this.repository.insert({ ...key, counts: Object.fromEntries(increments), updatedAt })) return;
        continue;
      }
      const merged = { ...existing.entity.counts };
      for (const [metric, n] of increments) merged[metric] = (merged[metric] ?? 0) + n;
      if (await this.repository.update({ ...existing.entity, counts: merged, updatedAt }, existing.etag)) return;
    }
    throw new AppError({ code: 'conflict', detail: 'the report counters are too busy; the increment was not recorded' });
  }

  /** The scope's counts per day (`YYYY-MM-DD` → metric → n) from `firstDay` to `lastDay`. */
  async read(scope: string, firstDay: string, lastDay: string): Promise<Map<string, Record<string, number>>> {
    const days = new Map<string, Record<string, number>>();
    for await (const row of this.repository.listDays(scope, firstDay, lastDay)) {
      const day = days.get(row.day) ?? {};
      for (const [metric, n] of Object.entries(row.counts)) day[metric] = (day[metric] ?? 0) + n;
      days.set(row.day, day);
    }
    return days;
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
