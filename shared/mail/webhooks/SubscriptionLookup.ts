import { SingleFlight, TtlCache } from '../../platform/cache';

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

  /** Called by whoever creates, recreates or deletes a subscription in this process. */
  forget(subscriptionId: string): void {
    this.entries.delete(subscriptionId);
  }
}
