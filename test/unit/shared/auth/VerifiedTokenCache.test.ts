import type { Caller } from '../../../../shared/auth/Caller';
import { VerifiedTokenCache } from '../../../../shared/auth/VerifiedTokenCache';

class MovableClock {
  constructor(private at: number) {}
  now(): number {
    return this.at;
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

const caller: Caller = { tenantId: 'tenant-a', userId: 'user-a', roles: ['Integration.Admin'], name: 'Ada' };

describe('VerifiedTokenCache', () => {
  const start = 1_700_000_000_000;
  const expSeconds = start / 1000 + 3600;

  it('answers a copy of the caller for the same token, and nothing for another', () => {
    const cache = new VerifiedTokenCache({ clock: new MovableClock(start), ttlMs: 300_000, maxEntries: 10, clockSkewSeconds: 0 });
    cache.set('token-a', caller, expSeconds);
    const first = cache.get('token-a')!;
    expect(first).toEqual(caller);
    first.roles.push('Forged');
    first.tenantId = 'tenant-b';
    expect(cache.get('token-a')).toEqual(caller);
    expect(cache.get('token-b')).toBeUndefined();
    expect(cache.get('token-a ')).toBeUndefined();
  });

  it('ends an entry when the token would fail verification: exp plus the allowed skew', () => {
    const clock = new MovableClock(start);
    const cache = new VerifiedTokenCache({ clock, ttlMs: 24 * 3600_000, maxEntries: 10, clockSkewSeconds: 120 });
    cache.set('token-a', caller, start / 1000 + 60);
    clock.advance(60_000 + 120_000 - 1);
    expect(cache.get('token-a')).toEqual(caller);
    clock.advance(1);
    expect(cache.get('token-a')).toBeUndefined();
  });

  it('ends an entry after the TTL even when the token lives longer', () => {
    const clock = new MovableClock(start);
    const cache = new VerifiedTokenCache({ clock, ttlMs: 300_000, maxEntries: 10, clockSkewSeconds: 0 });
    cache.set('token-a', caller, expSeconds);
    clock.advance(299_999);
    expect(cache.get('token-a')).toBeDefined();
    clock.advance(1);
    expect(cache.get('token-a')).toBeUndefined();
  });

  it('does not keep a token that is already past its lifetime', () => {
    const cache = new VerifiedTokenCache({ clock: new MovableClock(start), ttlMs: 300_000, maxEntries: 10, clockSkewSeconds: 0 });
    cache.set('token-a', caller, start / 1000);
    expect(cache.get('token-a')).toBeUndefined();
  });

  it('drops the oldest token beyond maxEntries', () => {
    const cache = new VerifiedTokenCache({ clock: new MovableClock(start), ttlMs: 300_000, maxEntries: 2, clockSkewSeconds: 0 });
    cache.set('token-a', caller, expSeconds);
    cache.set('token-b', { ...caller, userId: 'user-b' }, expSeconds);
    cache.set('token-c', { ...caller, userId: 'user-c' }, expSeconds);
    expect(cache.get('token-a')).toBeUndefined();
    expect(cache.get('token-b')?.userId).toBe('user-b');
    expect(cache.get('token-c')?.userId).toBe('user-c');
  });

  it('does not let a token at or past its lifetime push a valid one out', () => {
    const cache = new VerifiedTokenCache({ clock: new MovableClock(start), ttlMs: 300_000, maxEntries: 1, clockSkewSeconds: 0 });
    cache.set('token-a', caller, expSeconds);
    cache.set('token-ends-now', { ...caller, userId: 'user-b' }, start / 1000);
    cache.set('token-ended', { ...caller, userId: 'user-c' }, start / 1000 - 1);
    expect(cache.get('token-a')).toEqual(caller);
    expect(cache.get('token-ends-now')).toBeUndefined();
    expect(cache.get('token-ended')).toBeUndefined();
  });

  it.each([0, -1, Number.NaN, undefined])('refuses to be built with a TTL of %p, which would silently cache nothing', (ttlMs) => {
    expect(
      () => new VerifiedTokenCache({ clock: new MovableClock(start), ttlMs: ttlMs as number, maxEntries: 10, clockSkewSeconds: 0 }),
    ).toThrow('ttlMs must be a positive number of milliseconds');
  });
});
