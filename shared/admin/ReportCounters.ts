import { AppError } from '../platform/errors/AppError';
import type { Clock } from '../platform/clock';
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
  /** Increments waiting for the write under way, per scope and day. */
  private readonly pending = new Map<string, PendingBatch>();
  private readonly draining = new Set<string>();

  constructor(init: ReportCountersInit) {
    this.repository = init.repository;
    this.clock = init.clock;
    this.shards = Math.max(1, Math.trunc(init.shards ?? 8));
    this.random = init.random ?? Math.random;
  }

  /**
   * Adds the counts (metric → n, zeros skipped) to the scope's figures of the day of `atMs`
   * (default now); resolves once they are stored. Increments that arrive while a write for
   * the same scope and day is under way are merged and written together, so a burst of
   * webhook batches costs a few writes instead of one contended write each.
   */
  add(scope: string, counts: Readonly<Record<string, number>>, atMs?: number): Promise<void> {
    const increments = Object.entries(counts).filter(([, n]) => n !== 0);
    if (increments.length === 0) return Promise.resolve();
    for (const [metric, n] of increments) {
      if (!METRIC_NAME.test(metric) || !Number.isSafeInteger(n) || n < 0) {
        return Promise.reject(new AppError({ code: 'internal', detail: 'a report increment is not a metric name with a count' }));
      }
    }
    const day = toUtcDay(atMs ?? this.clock.now());
    const key = `${scope}\n${day}`;
    return new Promise<void>((resolve, reject) => {
      let batch = this.pending.get(key);
      if (!batch) {
        batch = { scope, day, counts: {}, waiters: [] };
        this.pending.set(key, batch);
      }
      for (const [metric, n] of increments) batch.counts[metric] = (batch.counts[metric] ?? 0) + n;
      batch.waiters.push({ resolve, reject });
      if (!this.draining.has(key)) void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    this.draining.add(key);
    try {
      for (let batch = this.pending.get(key); batch; batch = this.pending.get(key)) {
        this.pending.delete(key);
        try {
          await this.write(batch.scope, batch.day, Object.entries(batch.counts));
          for (const waiter of batch.waiters) waiter.resolve();
        } catch (error) {
          for (const waiter of batch.waiters) waiter.reject(error);
        }
      }
    } finally {
      this.draining.delete(key);
    }
  }

  private async write(scope: string, day: string, increments: [string, number][]): Promise<void> {
    const updatedAt = new Date(this.clock.now()).toISOString();
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

interface PendingBatch {
  scope: string;
  day: string;
  counts: Record<string, number>;
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
