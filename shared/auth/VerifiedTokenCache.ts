import * as nodeCrypto from 'node:crypto';
import { TtlCache } from '../platform/cache';
import type { Clock } from '../platform/clock';
import type { Caller } from './Caller';

export interface VerifiedTokenCacheInit {
  clock: Clock;
  /** How long a verified token is trusted without verifying it again, at most (its own expiry comes first). */
  ttlMs: number;
  /** Oldest entries go first beyond this, so a flood of distinct tokens cannot grow memory. */
  maxEntries: number;
  /** The skew the verifier allows past `exp`; a cached token expires exactly when a verified one would. */
  clockSkewSeconds: number;
}

/**
 * The callers of bearer tokens already verified in this process. The add-in sends the same
 * token for an hour; verifying its RS256 signature and claims again on every call was the
 * largest cost of a cached license check. Only successes are kept, keyed by a SHA-256 of
 * the token (the token itself is not retained), and each for no longer than the token is
 * valid and `ttlMs`, which bounds how long a withdrawn signing key is still honoured.
 */
export class VerifiedTokenCache {
  private readonly entries: TtlCache<string, Caller>;
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly skewMs: number;

  constructor(init: VerifiedTokenCacheInit) {
    // A TTL that is not a positive number would make `set` keep nothing, silently verifying every call.
    if (!(init.ttlMs > 0)) throw new TypeError('ttlMs must be a positive number of milliseconds');
    this.entries = new TtlCache({ clock: init.clock, ttlMs: init.ttlMs, maxEntries: init.maxEntries });
    this.clock = init.clock;
    this.ttlMs = init.ttlMs;
    this.skewMs = init.clockSkewSeconds * 1000;
  }

  /** The caller of a token verified before and still valid, as a fresh copy; else undefined. */
  get(token: string): Caller | undefined {
    const caller = this.entries.get(keyOf(token));
    return caller === undefined ? undefined : copyOf(caller);
  }

  /** Remembers a verified token's caller until `expSeconds` (the token's `exp`, plus the skew) or the TTL, whichever is first. */
  set(token: string, caller: Caller, expSeconds: number): void {
    const now = this.clock.now();
    const lifetimeMs = Math.min(expSeconds * 1000 + this.skewMs, now + this.ttlMs) - now;
    if (!(lifetimeMs > 0)) return;
    this.entries.set(keyOf(token), copyOf(caller), lifetimeMs);
  }
}

/** `crypto.hash` (Node 20.12+, 21.7+; `engines` asks for 22), missing from the typings this project uses. */
type OneShotHash = (algorithm: 'sha256', data: string) => string;
const oneShotHash = (nodeCrypto as unknown as { hash: OneShotHash }).hash;

/**
 * Every add-in request hashes its token here, so the one-shot hash: it skips the `Hash`
 * stream object, about 40 % of a `createHash` here and a third of a cached license check's
 * own work (docs/performance.md). Hex, its default encoding, is as good a key as any.
 */
function keyOf(token: string): string {
  return oneShotHash('sha256', token);
}

function copyOf(caller: Caller): Caller {
  return { ...caller, roles: [...caller.roles] };
}
