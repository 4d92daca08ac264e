import { z } from 'zod';
import { AppError } from '../errors/AppError';

/**
 * Entities carry times as ISO strings; the table holds them as Edm.DateTime so that a
 * server-side filter (`expiresAt lt datetime'…'`) compares times, not text.
 */
export function toTableDate(iso: string, field: string): Date {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new AppError({ code: 'internal', detail: `${field} is not an ISO time` });
  return date;
}

/** Reads a time back as an ISO string: Edm.DateTime arrives as a Date, a string column as text. */
export const tableDateSchema = z.union([z.date(), z.iso.datetime({ offset: true })]).transform((value) => new Date(value).toISOString());
