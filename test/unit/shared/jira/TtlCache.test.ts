import { TtlCache } from '../../../../shared/jira/TtlCache';

describe('TtlCache', () => {
  it('forgets entries after their time, on delete, and the oldest beyond its size', () => {
    let now = 1000;
    const cache = new TtlCache<string, number>({ clock: { now: () => now }, ttlMs: 100, maxEntries: 2 });
    cache.set('a', 1);
    expect(cache.get('a')).toBe(1);
    now += 100;
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', 1);
    cache.set('b', 2, 10_000);
    cache.set('c', 3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe(2);
    cache.delete('b');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBe(3);
    cache.clear();
    expect(cache.get('c')).toBeUndefined();
  });
});
