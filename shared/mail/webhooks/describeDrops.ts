import { totalDropped, type DropCounts } from './DropCounts';

/** One log line for a batch: counts only, never an item's content or clientState. */
export function describeDrops(kind: string, queued: number, dropped: DropCounts): { level: 'info' | 'warn'; line: string } {
  const total = totalDropped(dropped);
  if (total === 0) return { level: 'info', line: `graph ${kind}: queued ${queued}` };
  const counts = Object.entries(dropped)
    .map(([reason, count]) => `${reason}=${count ?? 0}`)
    .join(' ');
  return { level: 'warn', line: `graph ${kind}: queued ${queued}, dropped ${total} (${counts})` };
}
