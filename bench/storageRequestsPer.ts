/** Storage requests the app counted between two snapshots, per unit (mail, batch), with the busiest kinds first for a log line. */
export function storageRequestsPer(
  before: Record<string, number>,
  after: Record<string, number>,
  units: number,
  unit: string,
): { total: number; text: string; perKind: Record<string, number> } {
  const per = Object.entries(after)
    .map(([key, count]) => [key, (count - (before[key] ?? 0)) / units] as const)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1]);
  const total = per.reduce((sum, [, count]) => sum + count, 0);
  return {
    total,
    perKind: Object.fromEntries(per),
    text: `storage requests per ${unit} (counted by the app): ${total.toFixed(1)} (${per.map(([key, count]) => `${key} ${count.toFixed(2)}`).join(', ')})`,
  };
}
