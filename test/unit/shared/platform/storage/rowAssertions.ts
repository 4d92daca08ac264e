import { AppError } from '../../../../../shared/platform/errors/AppError';

/** A row as the SDK hands it back: the written properties plus the service's own. */
export function asReadBack(row: Record<string, unknown>): Record<string, unknown> {
  return {
    'odata.metadata': 'http://127.0.0.1/devstoreaccount1/$metadata#t/@Element',
    etag: 'W/"datetime\'2024-01-01T00%3A00%3A00Z\'"',
    timestamp: '2024-01-01T00:00:00.0000000Z',
    ...row,
  };
}

/** Runs `read` and expects a loud `storage_row_invalid` naming `field`, with no value of the row in it. */
export function expectRowInvalid(read: () => unknown, field: string, secretValues: readonly string[] = []): void {
  let caught: unknown;
  try {
    read();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(AppError);
  const error = caught as AppError;
  expect(error.code).toBe('storage_row_invalid');
  expect(error.detail).toContain(field);
  for (const value of secretValues) expect(error.message).not.toContain(value);
}

/** True when a key holds a character Azure Table Storage refuses: `/ \ # ?` and U+0000–U+001F, U+007F–U+009F. */
export function hasForbiddenKeyCharacter(key: string): boolean {
  return [...key].some((char) => {
    const code = char.codePointAt(0) ?? 0;
    return '/\\#?'.includes(char) || code <= 0x1f || (code >= 0x7f && code <= 0x9f);
  });
}
