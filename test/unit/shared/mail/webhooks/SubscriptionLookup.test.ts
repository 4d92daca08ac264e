import { SubscriptionLookup, type SubscriptionSnapshot } from '../../../../../shared/mail/webhooks/SubscriptionLookup';

const snapshot: SubscriptionSnapshot = { subscriptionId: 's1', tenantId: 't', userId: 'u', clientStateHash: 'h' };

function lookupWith(rows: Map<string, SubscriptionSnapshot>, clock: { now: number }, failing: { on: boolean } = { on: false }) {
  let reads = 0;
  const lookup = new SubscriptionLookup({
    load: async (id) => {
      reads += 1;
      await new Promise((resolve) => setImmediate(resolve));
      if (failing.on) throw new Error('storage down');
      return rows.get(id);
    },
    now: () => clock.now,
    ttlMs: 1000,
    missingTtlMs: 100,
  });
  return { lookup, reads: () => reads };
}

describe('SubscriptionLookup', () => {
  test('concurrent asks share one read; a found subscription is served from memory until its TTL', async () => {
    const clock = { now: 0 };
    const { lookup, reads } = lookupWith(new Map([['s1', snapshot]]), clock);
    const answers = await Promise.all(Array.from({ length: 20 }, () => lookup.get('s1')));
    expect(answers.every((answer) => answer === snapshot)).toBe(true);
    expect(reads()).toBe(1);
    clock.now = 999;
    await lookup.get('s1');
    expect(reads()).toBe(1);
    clock.now = 1000;
    await lookup.get('s1');
    expect(reads()).toBe(2);
  });

  test('"not found" is remembered only briefly, and forget() drops an entry at once', async () => {
    const clock = { now: 0 };
    const rows = new Map<string, SubscriptionSnapshot>();
    const { lookup, reads } = lookupWith(rows, clock);
    expect(await lookup.get('s1')).toBeUndefined();
    rows.set('s1', snapshot);
    expect(await lookup.get('s1')).toBeUndefined();
    clock.now = 100;
    expect(await lookup.get('s1')).toBe(snapshot);
    rows.delete('s1');
    lookup.forget('s1');
    expect(await lookup.get('s1')).toBeUndefined();
    expect(reads()).toBe(3);
  });

  test('a failed read propagates and is not cached', async () => {
    const clock = { now: 0 };
    const failing = { on: true };
    const { lookup } = lookupWith(new Map([['s1', snapshot]]), clock, failing);
    await expect(lookup.get('s1')).rejects.toThrow('storage down');
    failing.on = false;
    expect(await lookup.get('s1')).toBe(snapshot);
  });

  describe('getAll: the reads unknown ids can cost are bounded', () => {
    const ours = (count: number) =>
      new Map(
        Array.from(
          { length: count },
          (_, i) => [`ours-${i}`, { ...snapshot, subscriptionId: `ours-${i}` }] as [string, SubscriptionSnapshot],
        ),
      );
    const random = (count: number) => Array.from({ length: count }, (_, i) => `forged-${i}`);

    test('a thousand ids none of which exists: one round of ten reads, the rest skipped unread', async () => {
      const { lookup, reads } = lookupWith(new Map(), { now: 0 });
      const result = await lookup.getAll(random(1000));
      expect(reads()).toBe(10);
      expect(result).toEqual({ found: new Map(), skipped: 990 });
    });

    test('ours first, then forged ones: ours are found, the reading stops at the first round that mostly fails', async () => {
      const rows = ours(3);
      const { lookup, reads } = lookupWith(rows, { now: 0 });
      const result = await lookup.getAll([...rows.keys(), ...random(997)]);
      expect([...result.found.keys()]).toEqual([...rows.keys()]);
      expect(reads()).toBe(10);
      expect(result.skipped).toBe(990);
    });

    test('a batch that is all ours is read whole, in growing rounds', async () => {
      const rows = ours(75);
      const { lookup, reads } = lookupWith(rows, { now: 0 });
      const result = await lookup.getAll([...rows.keys()]);
      expect(result.found.size).toBe(75);
      expect(result.skipped).toBe(0);
      expect(reads()).toBe(75);
    });

    test('ids the cache knows cost nothing, found or missing, and do not count toward a round', async () => {
      const rows = ours(2);
      const { lookup, reads } = lookupWith(rows, { now: 0 });
      await lookup.get('ours-0');
      await lookup.get('forged-0');
      const result = await lookup.getAll(['forged-0', 'ours-0', 'ours-1']);
      expect([...result.found.keys()].sort()).toEqual(['ours-0', 'ours-1']);
      expect(reads()).toBe(3);
      expect(result.skipped).toBe(0);
    });
  });
});
