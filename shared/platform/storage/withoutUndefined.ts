/** Drops undefined properties: a table cannot hold them, and `Replace` must remove the column. */
export function withoutUndefined<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  // A plain loop: every row read and written passes here, and entries/filter/fromEntries built three arrays per row (0.5 % of the fan-out's profile).
  const defined: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const property = value[key];
    if (property !== undefined) defined[key] = property;
  }
  return defined as { [K in keyof T]: Exclude<T[K], undefined> };
}
