/**
 * A time as a sort key of `ListPager`: fixed width, so code-unit order is time order
 * whatever precision the stored ISO string has ("…:00Z" and "…:00.5Z" sort right).
 * `descending` inverts it for lists shown newest first.
 */
export function timeKey(iso: string, order: 'ascending' | 'descending' = 'ascending'): string {
  const ms = Date.parse(iso);
  const value = Number.isNaN(ms) ? 0 : order === 'ascending' ? ms : MAX_MS - ms;
  return String(Math.max(0, value)).padStart(16, '0');
}

/** Past any time a row holds (year 2286). */
const MAX_MS = 9_999_999_999_999;
