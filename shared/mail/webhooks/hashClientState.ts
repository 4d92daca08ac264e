import { createHash } from 'node:crypto';

/**
 * What `subscriptions` keeps instead of the clientState: the state is a random secret of
 * 256 bits, so an unkeyed SHA-256 cannot be reversed, and a leaked table does not let
 * anyone forge notifications.
 */
export function hashClientState(clientState: string): string {
  return createHash('sha256').update(clientState, 'utf8').digest('base64url');
}
