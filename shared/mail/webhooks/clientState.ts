import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, base64url: 43 characters, well inside Graph's 128-character limit. */
export function newClientState(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What `subscriptions` keeps instead of the clientState: the state is a random secret of
 * 256 bits, so an unkeyed SHA-256 cannot be reversed, and a leaked table does not let
 * anyone forge notifications.
 */
export function hashClientState(clientState: string): string {
  return createHash('sha256').update(clientState, 'utf8').digest('base64url');
}

/**
 * Compares a received clientState with the stored hash in constant time: both sides are
 * SHA-256 digests of equal length, so neither the time nor an early exit reveals how much
 * of a guess was right.
 */
export function clientStateMatches(received: string | null | undefined, storedHash: string): boolean {
  if (typeof received !== 'string' || received.length === 0) return false;
  const expected = Buffer.from(storedHash, 'base64url');
  const actual = Buffer.from(hashClientState(received), 'base64url');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
