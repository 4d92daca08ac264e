import type { Clock } from './clock';

export interface TtlCacheInit {
  clock: Clock;
  /** The lifetime of an entry set without its own. */
  ttlMs: number;
  /** Oldest entries go first beyond this, so a flood of distinct keys cannot grow memory. */
  maxEntries: number;
}

/**
 * A small per-process cache with expiry. Entries live `ttlMs`, so a change made by another
 * worker is seen within that time; a change made here is seen at once (`delete`).
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(init: TtlCacheInit) {
    this.clock = init.clock;
    this.ttlMs = init.ttlMs;
    this.maxEntries = init.maxEntries;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V, ttlMs = this.ttlMs): void {
    // Deleted first so a refreshed key moves to the young end of the insertion order.
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.clock.now() + ttlMs });
    if (this.entries.size > this.maxEntries) {
      // Map iteration is insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * Joins concurrent calls for one key to a single run: while a run for a key is in flight,
 * callers get its promise instead of starting another. The entry goes when the run settles,
 * so a failure is not remembered.
 */
export class SingleFlight<K, T> {
  private readonly flights = new Map<K, Promise<T>>();

  run(key: K, work: () => Promise<T>): Promise<T> {
    const running = this.flights.get(key);
    if (running) return running;
    const flight = work().finally(() => this.flights.delete(key));
    this.flights.set(key, flight);
    return flight;
  }

  get size(): number {
    return this.flights.size;
  }
}
