import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a received clientState with the stored hash in constant time: both sides are
 * SHA-256 digests of equal length, so neither the time nor an early exit reveals how much
 * of a guess was right.
 */
export function clientStateMatches(received: string | null | undefined, storedHash: string): boolean {
  if (typeof received !== 'string' || received.length === 0) return false;
  const expected = Buffer.from(storedHash, 'base64url');
  const actual = createHash('sha256').update(received, 'utf8').digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
