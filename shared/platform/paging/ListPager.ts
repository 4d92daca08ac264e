import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EncryptionKeyring } from '../config/encryptionKeyring';
import { MacKeys } from '../crypto/MacKeys';
import { AppError } from '../errors/AppError';
import type { ListEnvelope, ListPageRequest } from './ListEnvelope';

const VERSION = 'pg1';
const HKDF_INFO = 'jira-outlook-cloud list page token v1';

/**
 * Cuts a list into pages of the one envelope. A page ends after the item with the largest
 * sort key it holds, and `next` carries that key: the following page starts strictly after
 * it, so an item added or removed between two calls moves no other item across the cut
 * (no repeat, no skip), which an offset would. The token is `pg1.<kid>.<key>.<mac>`, an
 * HMAC under a key derived from DATA_ENCRYPTION_KEY over the key and the list's `scope`
 * (route, tenant, instance, filters): a token edited, or taken to another list or tenant,
 * is refused with `invalid_page_token` instead of silently starting elsewhere.
 */
export class ListPager {
  private readonly macKeys: MacKeys;

  constructor(init: { keyring: EncryptionKeyring }) {
    this.macKeys = new MacKeys({ keyring: init.keyring, info: HKDF_INFO });
  }

  /**
   * One page of `items` in ascending order of `keyOf` (which must be unique per item:
   * make it so by appending the item's id).
   */
  page<T>(items: readonly T[], request: ListPageRequest & { scope: string }, keyOf: (item: T) => string): ListEnvelope<T> {
    const after = request.next === undefined ? undefined : this.open(request.next, request.scope);
    const keyed = items.map((item) => ({ item, key: keyOf(item) })).sort((a, b) => compare(a.key, b.key));
    const rest = after === undefined ? keyed : keyed.filter((entry) => compare(entry.key, after) > 0);
    const page = rest.slice(0, request.limit);
    const last = page.at(-1);
    return rest.length > page.length && last !== undefined
      ? { items: page.map((entry) => entry.item), next: this.seal(last.key, request.scope) }
      : { items: page.map((entry) => entry.item) };
  }

  private seal(after: string, scope: string): string {
    const { keyId, key } = this.macKeys.active();
    const payload = Buffer.from(after, 'utf8').toString('base64url');
    return `${VERSION}.${keyId}.${payload}.${mac(key, keyId, payload, scope)}`;
  }

  private open(token: string, scope: string): string {
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) throw invalidToken();
    const [, keyId = '', payload = '', given = ''] = parts;
    const key = this.macKeys.get(keyId);
    if (!key) throw invalidToken();
    const expected = Buffer.from(mac(key, keyId, payload, scope), 'base64url');
    const received = Buffer.from(given, 'base64url');
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) throw invalidToken();
    return Buffer.from(payload, 'base64url').toString('utf8');
  }
}

function mac(key: Buffer, keyId: string, payload: string, scope: string): string {
  return createHmac('sha256', key).update(`${VERSION}.${keyId}.${payload}\n${scope}`).digest('base64url');
}

/** Code-unit order, the same in every locale (localeCompare is not). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function invalidToken(): AppError {
  return new AppError({
    code: 'invalid_page_token',
    detail: 'next: not a token this list gave out; start again without it',
  });
}
