/** The UTC day of an instant, `YYYY-MM-DD`: the report's unit, the same on every worker. */
export function toUtcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The `count` UTC days ending with the day of `endMs`, oldest first. */
export function lastUtcDays(endMs: number, count: number): string[] {
  const days: string[] = [];
  for (let back = count - 1; back >= 0; back -= 1) days.push(toUtcDay(endMs - back * 86_400_000));
  return days;
}
