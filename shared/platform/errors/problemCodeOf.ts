import { isAppError } from './AppError';

/** What a log record or a count may say of a failure: an `AppError`'s stable code, else `error` (never a message: it can hold a URL or a token). */
export function problemCodeOf(error: unknown): string {
  return isAppError(error) ? error.code : 'error';
}
