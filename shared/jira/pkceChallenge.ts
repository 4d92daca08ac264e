import { createHash, randomBytes } from 'node:crypto';

/**
 * A fresh PKCE code verifier: 32 random bytes as base64url, 43 characters of the unreserved
 * set RFC 7636 §4.1 allows (43–128).
 */
export function newPkceVerifier(): string {
  return randomBytes(32).toString('base64url');
}

/** The S256 code challenge of a verifier: BASE64URL(SHA256(ASCII(verifier))), RFC 7636 §4.2. */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
