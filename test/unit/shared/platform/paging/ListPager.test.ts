import { randomBytes } from 'node:crypto';
import { parseEncryptionKeyring, type EncryptionKeyring } from '../../../../../shared/platform/config/encryptionKeyring';
import { ListPager } from '../../../../../shared/platform/paging/ListPager';
import { timeKey } from '../../../../../shared/platform/paging/timeKey';

function keyring(text: string): EncryptionKeyring {
  const parsed = parseEncryptionKeyring(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

const k1 = `k1:${randomBytes(32).toString('base64')}`;
const k2 = `k2:${randomBytes(32).toString('base64')}`;
const ids = Array.from({ length: 11 }, (_, i) => `item-${String(i).padStart(2, '0')}`);

function all(pager: ListPager, items: readonly string[], limit: number, scope = 'list'): string[][] {
  const pages: string[][] = [];
  let next: string | undefined;
  do {
    const page = pager.page(items, { limit, scope, ...(next === undefined ? {} : { next }) }, (id) => id);
    pages.push(page.items);
    next = page.next;
  } while (next !== undefined && pages.length < 100);
  return pages;
}

/** The code of the AppError a call throws, or undefined when it does not throw. */
function refusal(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return undefined;
}

describe('ListPager', () => {
  const pager = new ListPager({ keyring: keyring(k1) });

  it('pages through every item once, in key order, whatever order they come in', () => {
    const pages = all(pager, [...ids].reverse(), 4);
    expect(pages.map((page) => page.length)).toEqual([4, 4, 3]);
    expect(pages.flat()).toEqual(ids);
  });

  it('gives no next when the page holds the rest, even exactly', () => {
    expect(pager.page(ids.slice(0, 4), { limit: 4, scope: 'list' }, (id) => id)).toEqual({ items: ids.slice(0, 4) });
    expect(pager.page([], { limit: 4, scope: 'list' }, (id) => id)).toEqual({ items: [] });
  });

  it('an item added or removed between two pages neither repeats nor skips another', () => {
    const first = pager.page(ids, { limit: 4, scope: 'list' }, (id) => id);
    // item-01 deleted and item-00a added, both before the cut: the next page starts where the first ended.
    const changed = ['item-00a', ...ids.filter((id) => id !== 'item-01')];
    const second = pager.page(changed, { limit: 4, scope: 'list', next: first.next ?? '' }, (id) => id);
    expect(second.items).toEqual(['item-04', 'item-05', 'item-06', 'item-07']);
  });

  it('refuses a token altered, of another list, or of a key no longer listed', () => {
    const { next } = pager.page(ids, { limit: 4, scope: 'tenant-a' }, (id) => id);
    if (next === undefined) throw new Error('expected a next token');
    const [version, keyId, payload, mac] = next.split('.');
    const skipped = `${version}.${keyId}.${Buffer.from('item-09').toString('base64url')}.${mac}`;
    for (const bad of [skipped, `${next}x`, next.slice(0, -2), 'garbage', '', `${version}.k9.${payload}.${mac}`]) {
      expect(refusal(() => pager.page(ids, { limit: 4, scope: 'tenant-a', next: bad }, (id) => id))).toBe('invalid_page_token');
    }
    expect(refusal(() => pager.page(ids, { limit: 4, scope: 'tenant-b', next }, (id) => id))).toBe('invalid_page_token');
    expect(refusal(() => new ListPager({ keyring: keyring(k2) }).page(ids, { limit: 4, scope: 'tenant-a', next }, (id) => id))).toBe(
      'invalid_page_token',
    );
  });

  it('reads a token of an older key while it is still listed after a rotation', () => {
    const { next } = pager.page(ids, { limit: 4, scope: 'list' }, (id) => id);
    const rotated = new ListPager({ keyring: keyring(`${k2},${k1}`) });
    expect(rotated.page(ids, { limit: 4, scope: 'list', ...(next === undefined ? {} : { next }) }, (id) => id).items).toEqual(
      ids.slice(4, 8),
    );
  });

  it('orders times by instant, newest first when asked, whatever their precision', () => {
    const times = ['2026-01-01T00:00:00.5Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z'];
    const oldest = pager.page(times, { limit: 10, scope: 'list' }, (iso) => timeKey(iso));
    expect(oldest.items).toEqual(['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.5Z', '2026-01-01T00:00:01Z']);
    const newest = pager.page(times, { limit: 10, scope: 'list' }, (iso) => timeKey(iso, 'descending'));
    expect(newest.items).toEqual([...oldest.items].reverse());
  });
});
