/** What a counter snapshot (`StorageRequestCounter.snapshot()`) gained since an earlier one: the keys that grew, by how much. */
export function countsAdded(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([key, count]) => [key, count - (before[key] ?? 0)] as const)
      .filter(([, count]) => count > 0),
  );
}
