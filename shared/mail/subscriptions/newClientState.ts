import { randomBytes } from 'node:crypto';

/** 256 random bits, base64url: 43 characters, well inside Graph's 128-character limit. */
export function newClientState(): string {
  return randomBytes(32).toString('base64url');
}
