import type { Clock } from '../../platform/clock';

/** A table whose rows carry `updatedAt`: the deliveries, and the mail trails kept as long. */
export interface PrunableTable<E> {
  listUpdatedBefore(time: string): AsyncIterableIterator<E>;
  delete(row: E): Promise<void>;
}

export interface PruneDeliveriesInit<E> {
  repository: PrunableTable<E>;
  clock: Clock;
  /** `DELIVERY_RETENTION`: longer than any redelivery (Graph retries for 4 hours, a poison replay waits for a fix). */
  retentionSeconds: number;
  /** Stops starting deletes after this long, so one run stays inside the function timeout; the next run goes on. */
  budgetMs?: number;
  concurrency?: number;
}

export interface PruneResult {
  deleted: number;
  /** True when the budget ran out before the work list did. */
  incomplete: boolean;
}

/**
 * Deletes delivery records not touched for the retention period. They are only needed
 * while a copy of their message could still arrive; afterwards they are history the admin
 * report no longer shows. A row that changed since it was listed is deleted all the same:
 * an update to a row that old would be a retry long past its purpose.
 */
export async function pruneOldDeliveries<E>(init: PruneDeliveriesInit<E>): Promise<PruneResult> {
  const started = init.clock.now();
  const cutoff = new Date(started - init.retentionSeconds * 1000).toISOString();
  const budgetMs = init.budgetMs ?? 4 * 60_000;
  const concurrency = Math.max(1, init.concurrency ?? 8);
  const rows = init.repository.listUpdatedBefore(cutoff);
  let deleted = 0;
  let incomplete = false;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (init.clock.now() - started > budgetMs) {
        incomplete = true;
        return;
      }
      // Workers share one iterator; each `next` hands out a different row.
      const next = await rows.next();
      if (next.done) return;
      await init.repository.delete(next.value);
      deleted += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { deleted, incomplete };
}
