/** Why items of a batch were not enqueued; logged as counts, never with their content. */
export const dropReasons = [
  'malformed',
  'unknownSubscription',
  'clientStateMismatch',
  'untrustedRichContent',
  'undecryptable',
  'unsupportedEvent',
  'duplicate',
] as const;

export type DropReason = (typeof dropReasons)[number];

export type DropCounts = Partial<Record<DropReason, number>>;

export function countDrop(counts: DropCounts, reason: DropReason): void {
  counts[reason] = (counts[reason] ?? 0) + 1;
}

export function totalDropped(counts: DropCounts): number {
  return Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0);
}
