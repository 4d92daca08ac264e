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

interface Entry {
  value: SubscriptionSnapshot | undefined;
  expiresAt: number;
}

/**
 * A per-process cache in front of the `subscriptions` table: a batch of hundreds of items
 * for a few mailboxes costs a few reads, and a steady stream costs none, which keeps the
 * webhook inside Graph's 3-second budget. Concurrent asks for one id share one read.
 * A failed read is not cached and propagates (the webhook answers 503 and Graph retries).
 */
export class SubscriptionLookup {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<SubscriptionSnapshot | undefined>>();
  private readonly load: SubscriptionLookupInit['load'];
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly missingTtlMs: number;
  private readonly maxEntries: number;

  constructor(init: SubscriptionLookupInit) {
    this.load = init.load;
    this.now = init.now;
    this.ttlMs = init.ttlMs ?? 5 * 60_000;
    this.missingTtlMs = init.missingTtlMs ?? 10_000;
    this.maxEntries = init.maxEntries ?? 10_000;
  }

  async get(subscriptionId: string): Promise<SubscriptionSnapshot | undefined> {
    const cached = this.entries.get(subscriptionId);
    if (cached && cached.expiresAt > this.now()) return cached.value;
    const inFlight = this.pending.get(subscriptionId);
    if (inFlight) return inFlight;
    const read = this.load(subscriptionId)
      .then((value) => {
        this.remember(subscriptionId, value);
        return value;
      })
      .finally(() => this.pending.delete(subscriptionId));
    this.pending.set(subscriptionId, read);
    return read;
  }

  /** Called by whoever creates, recreates or deletes a subscription in this process. */
  forget(subscriptionId: string): void {
    this.entries.delete(subscriptionId);
  }

  private remember(subscriptionId: string, value: SubscriptionSnapshot | undefined): void {
    this.entries.delete(subscriptionId);
    if (this.entries.size >= this.maxEntries) {
      // Map iteration is insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(subscriptionId, { value, expiresAt: this.now() + (value ? this.ttlMs : this.missingTtlMs) });
  }
}
