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
  /** `REPORT_FLUSH_INTERVAL`: how often the sums are written. Default 5 s. */
  flushIntervalMs?: number;
  /** Told when a timed flush failed; its counts stay in memory for the next one. */
  onFlushError?: (error: unknown) => void;
}

const MAX_ATTEMPTS = 10;
const BACKOFF_BASE_MS = 5;

/**
 * Daily counters for the admin panel's report (what arrived, what was dropped and why,
 * what went to poison): counts only, never what a mail said. An increment is summed in
 * memory, per scope and day, and costs no storage request on the path that counts it; the
 * sums are written every `flushIntervalMs` (off any request) and at stop. A write is a read
 * and an ETag-conditional write of one of a few shard rows picked at random; when another
 * process got there first it moves to another shard after a short random pause.
 *
 * What a crash can lose: the counts of the last interval, never a mail (the counters only
 * describe what the queues and the ledger already hold durably).
 */
export class ReportCounters {
  private readonly repository: ReportCountersInit['repository'];
  private readonly clock: Clock;
  private readonly shards: number;
  private readonly random: () => number;
  private readonly flushIntervalMs: number;
  private readonly onFlushError: (error: unknown) => void;
  /** Sums not written yet, per scope and day. */
  private pending = new Map<string, PendingSums>();
  /** Flushes run one after the other; this is the last one asked for. */
  private flushes: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(init: ReportCountersInit) {
    this.repository = init.repository;
    this.clock = init.clock;
    this.shards = Math.max(1, Math.trunc(init.shards ?? 8));
    this.random = init.random ?? Math.random;
    this.flushIntervalMs = Math.max(1, init.flushIntervalMs ?? 5000);
    this.onFlushError = init.onFlushError ?? (() => undefined);
  }

  /**
   * Adds the counts (metric → n, zeros skipped) to the scope's figures of the day of `atMs`
   * (default now), in memory: resolves at once, the next flush stores them. Rejects a
   * metric name that cannot be a column, or a count that is not a whole number ≥ 0.
   */
  add(scope: string, counts: Readonly<Record<string, number>>, atMs?: number): Promise<void> {
    const increments = Object.entries(counts).filter(([, n]) => n !== 0);
    if (increments.length === 0) return Promise.resolve();
    for (const [metric, n] of increments) {
      if (!METRIC_NAME.test(metric) || !Number.isSafeInteger(n) || n < 0) {
        return Promise.reject(new AppError({ code: 'internal', detail: 'a report increment is not a metric name with a count' }));
      }
    }
    this.merge(scope, toUtcDay(atMs ?? this.clock.now()), increments);
    // Started by the first count, so a process that never counts never writes; unref'd, so it never keeps a process alive.
    this.timer ??= setInterval(() => void this.flush().catch((error: unknown) => this.onFlushError(error)), this.flushIntervalMs).unref();
    return Promise.resolve();
  }

  /**
   * Writes every sum held in memory (the timer calls it; `stop` too). Sums that could not be
   * written are kept for the next flush, and the first error is thrown once all were tried.
   */
  flush(): Promise<void> {
    const run = this.flushes.then(() => this.writePending());
    this.flushes = run.catch(() => undefined);
    return run;
  }

  /**
   * Stops the timer and writes what is held: the process is going away (`appTerminate`, the
   * local host's stop). Waits at most `budgetMs` (a host gives its stop hooks little time);
   * true when everything held was written.
   */
  async stop(budgetMs = 5000): Promise<boolean> {
    clearInterval(this.timer);
    this.timer = undefined;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), budgetMs);
    });
    try {
      return await Promise.race([this.flush().then(() => true), late]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private merge(scope: string, day: string, increments: Iterable<[string, number]>): void {
    const key = `${scope}\n${day}`;
    let sums = this.pending.get(key);
    if (!sums) {
      sums = { scope, day, counts: {} };
      this.pending.set(key, sums);
    }
    for (const [metric, n] of increments) sums.counts[metric] = (sums.counts[metric] ?? 0) + n;
  }

  private async writePending(): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const errors: unknown[] = [];
    await Promise.all(
      batch.map(async (sums) => {
        try {
          await this.write(sums.scope, sums.day, Object.entries(sums.counts));
        } catch (error) {
          // Kept, added to whatever came in since: the next flush tries again.
          this.merge(sums.scope, sums.day, Object.entries(sums.counts));
          errors.push(error);
        }
      }),
    );
    if (errors.length > 0) throw errors[0];
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

  /**
   * The scope's counts per day (`YYYY-MM-DD` → metric → n) from `firstDay` to `lastDay`: what
   * is stored, plus what this process holds and has not written yet (other processes' counts
   * show once they flush).
   */
  async read(scope: string, firstDay: string, lastDay: string): Promise<Map<string, Record<string, number>>> {
    const days = new Map<string, Record<string, number>>();
    const addTo = (dayName: string, counts: Readonly<Record<string, number>>) => {
      const day = days.get(dayName) ?? {};
      for (const [metric, n] of Object.entries(counts)) day[metric] = (day[metric] ?? 0) + n;
      days.set(dayName, day);
    };
    for await (const row of this.repository.listDays(scope, firstDay, lastDay)) addTo(row.day, row.counts);
    for (const sums of this.pending.values())
      if (sums.scope === scope && sums.day >= firstDay && sums.day <= lastDay) addTo(sums.day, sums.counts);
    return days;
  }
}

interface PendingSums {
  scope: string;
  day: string;
  counts: Record<string, number>;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
