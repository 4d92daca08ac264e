import { AppError } from '../../platform/errors/AppError';

/**
 * `throttled` with the delay the upstream asked for, both as `Retry-After` (for an HTTP
 * caller) and as `retryAfterSeconds` (for a queue handler that puts its message back).
 */
export function throttledError(upstream: string, seconds: number, cause?: unknown): AppError {
  return new AppError({
    code: 'throttled',
    detail: `${upstream} asked us to wait ${seconds} s`,
    headers: { 'Retry-After': String(seconds) },
    extensions: { retryAfterSeconds: seconds },
    cause,
  });
}

/** The delay of a `throttled` AppError, or undefined for any other error. */
export function retryAfterOf(error: unknown): number | undefined {
  if (!(error instanceof AppError) || error.code !== 'throttled') return undefined;
  const seconds = error.extensions.retryAfterSeconds;
  return typeof seconds === 'number' ? seconds : undefined;
}
