import { SingleFlight, TtlCache } from '../../../../shared/platform/cache';

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

  it('moves a key set again to the young end, so it outlives older ones', () => {
    const cache = new TtlCache<string, number>({ clock: { now: () => 0 }, ttlMs: 100, maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 10);
    cache.set('c', 3);
    expect(cache.get('a')).toBe(10);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBe(3);
  });
});

describe('SingleFlight', () => {
  it('runs concurrent calls for one key once and shares the result', async () => {
    const flights = new SingleFlight<string, number>();
    let runs = 0;
    let release: (value: number) => void = () => undefined;
    const work = () => {
      runs += 1;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const joined = [flights.run('a', work), flights.run('a', work), flights.run('a', work)];
    const other = flights.run('b', () => Promise.resolve(7));
    release(42);
    expect(await Promise.all(joined)).toEqual([42, 42, 42]);
    expect(await other).toBe(7);
    expect(runs).toBe(1);
    expect(flights.size).toBe(0);
  });

  it('does not remember a failure: the next call runs again', async () => {
    const flights = new SingleFlight<string, string>();
    await expect(flights.run('a', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(flights.run('a', () => Promise.resolve('up'))).resolves.toBe('up');
  });
});
