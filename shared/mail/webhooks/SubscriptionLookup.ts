import { SingleFlight, TtlCache } from '../../platform/cache';

/** Reads a post's unknown ids may cost before the webhook judges whether they are mostly ours. */
const DEFAULT_FIRST_ROUND = 10;

/** What the webhook needs to know about one of our subscriptions. */
export interface SubscriptionSnapshot {
  subscriptionId: string;
  tenantId: string;
  userId: string;
  clientStateHash: string;
}

export interface SubscriptionLookupInit {
  /** Reads one subscription from storage; undefined when there is none. */
  load: (subscriptionId: string) => Promise<SubscriptionSnapshot | undefined>;
  now: () => number;
  /** How long a found subscription is trusted without a read. */
  ttlMs?: number;
  /** How long "no such subscription" is remembered: short, a new one may just be being stored. */
  missingTtlMs?: number;
  maxEntries?: number;
}

/**
 * A per-process cache in front of the `subscriptions` table: a batch of hundreds of items
 * for a few mailboxes costs a few reads, and a steady stream costs none, which keeps the
 * webhook inside Graph's 3-second budget. Concurrent asks for one id share one read.
 * A failed read is not cached and propagates (the webhook answers 503 and Graph retries).
 */
export class SubscriptionLookup {
  /** `null` is a remembered "no such subscription", told apart from a miss (`undefined`). */
  private readonly entries: TtlCache<string, SubscriptionSnapshot | null>;
  private readonly reads = new SingleFlight<string, SubscriptionSnapshot | undefined>();
  private readonly load: SubscriptionLookupInit['load'];
  private readonly missingTtlMs: number;

  constructor(init: SubscriptionLookupInit) {
    this.load = init.load;
    this.missingTtlMs = init.missingTtlMs ?? 10_000;
    this.entries = new TtlCache({
      clock: { now: () => init.now() },
      ttlMs: init.ttlMs ?? 5 * 60_000,
      maxEntries: init.maxEntries ?? 10_000,
    });
  }

  async get(subscriptionId: string): Promise<SubscriptionSnapshot | undefined> {
    const cached = this.entries.get(subscriptionId);
    if (cached !== undefined) return cached ?? undefined;
    return this.reads.run(subscriptionId, async () => {
      const value = await this.load(subscriptionId);
      if (value) this.entries.set(subscriptionId, value);
      else this.entries.set(subscriptionId, null, this.missingTtlMs);
      return value;
    });
  }

  /**
   * The subscriptions of a batch's ids, with the reads that ids unknown to the cache can
   * cost bounded: the webhook is anonymous, and a post of a thousand random ids must not
   * cost a thousand table reads. Ids the cache knows (found or missing) cost nothing; the
   * rest are read in rounds, the first of `firstRound` ids, each next one twice as large
   * while at least half of a round's reads found a subscription. A round that mostly
   * found nothing ends the reading: the ids after it are skipped, unread, and counted.
   * `ids` come in priority order (the webhook puts the ids with most items first: Graph
   * sends many items per subscription, a forger's random ids come once each).
   */
  async getAll(
    ids: readonly string[],
    firstRound = DEFAULT_FIRST_ROUND,
  ): Promise<{ found: Map<string, SubscriptionSnapshot>; skipped: number }> {
    const found = new Map<string, SubscriptionSnapshot>();
    const unread: string[] = [];
    for (const id of new Set(ids)) {
      const cached = this.entries.get(id);
      if (cached === undefined) unread.push(id);
      else if (cached) found.set(id, cached);
    }
    let next = 0;
    for (let size = Math.max(1, firstRound); next < unread.length; size *= 2) {
      const round = unread.slice(next, next + size);
      next += round.length;
      const snapshots = await Promise.all(round.map((id) => this.get(id)));
      let hits = 0;
      snapshots.forEach((snapshot, index) => {
        if (!snapshot) return;
        hits += 1;
        found.set(round[index] ?? snapshot.subscriptionId, snapshot);
      });
      if (hits * 2 < round.length) break;
    }
    return { found, skipped: unread.length - next };
  }

  /** Called by whoever creates, recreates or deletes a subscription in this process. */
  forget(subscriptionId: string): void {
    this.entries.delete(subscriptionId);
  }
}
