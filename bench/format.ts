/** Numbers for the table: thousands separated, a fixed number of decimals. */
export function formatNumber(value: number, decimals = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** `figure / anchor` as `0.42×`; `—` when either is missing or the anchor is zero. */
export function formatRatio(figure: number | undefined, anchor: number | undefined): string {
  if (figure === undefined || anchor === undefined || !Number.isFinite(figure) || !Number.isFinite(anchor) || anchor === 0) return '—';
  return `${formatNumber(figure / anchor, 2)}×`;
}

export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return `${formatNumber(value, value < 10 ? 2 : value < 100 ? 1 : 0)} ms`;
}

/** A difference in milliseconds with its sign: `+1.20 ms`, `-0.40 ms`. */
export function formatDeltaMs(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return `${value < 0 ? '-' : '+'}${formatMs(Math.abs(value))}`;
}
