import { errors } from 'undici';
import { AppError } from '../errors/AppError';
import { ForbiddenTargetError } from '../net/guardedLookup';

/**
 * Maps a failed outbound call to a stable code: connect and header timeouts → 504,
 * refused or reset connections → 502, a forbidden address → 400. Upstream text is dropped.
 */
export function toUpstreamError(error: unknown, upstream: string): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ForbiddenTargetError)
    return new AppError({ code: 'target_not_allowed', detail: `${upstream} resolves to an address that is not allowed`, cause: error });
  if (
    error instanceof errors.ConnectTimeoutError ||
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError
  ) {
    return new AppError({ code: 'upstream_timeout', detail: `${upstream} did not answer in time`, cause: error });
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return new AppError({ code: 'upstream_timeout', detail: `${upstream} did not answer in time`, cause: error });
  }
  return new AppError({ code: 'upstream_unreachable', detail: `${upstream} could not be reached`, cause: error });
}
