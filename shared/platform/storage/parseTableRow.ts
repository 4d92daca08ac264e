import type { z } from 'zod';
import { AppError } from '../errors/AppError';

/**
 * Validates a row read from a table. A row that does not match is a loud AppError naming
 * the table and the fields, never their values (they may be secrets or personal data).
 */
export function parseTableRow<S extends z.ZodType>(schema: S, row: unknown, table: string): z.output<S> {
  const parsed = schema.safeParse(row);
  if (parsed.success) return parsed.data;
  const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(row)'))].sort();
  throw new AppError({ code: 'storage_row_invalid', detail: `a row of table ${table} is invalid in: ${fields.join(', ')}` });
}
