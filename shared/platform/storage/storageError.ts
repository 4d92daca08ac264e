import { AppError, isAppError } from '../errors/AppError';

/** The HTTP status of a failed storage call, or undefined when no answer came (network, timeout). */
export function storageStatusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error && typeof error.statusCode === 'number') return error.statusCode;
  return undefined;
}

/** The service's error code (`EntityAlreadyExists`, `TableNotFound`, …) of a failed storage call. */
export function storageErrorCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('details' in error)) return undefined;
  const { details } = error;
  if (typeof details !== 'object' || details === null) return undefined;
  if ('errorCode' in details && typeof details.errorCode === 'string') return details.errorCode;
  if ('odataError' in details && typeof details.odataError === 'object' && details.odataError !== null) {
    const { odataError } = details;
    if ('code' in odataError && typeof odataError.code === 'string') return odataError.code;
  }
  return undefined;
}

/**
 * An AppError for a failed storage call. No answer, a 5xx, 408 or 429 mean storage is
 * unavailable (503, worth retrying); any other status is a request we got wrong (500).
 * The detail names the action and the service's code only: an SDK message can echo a URL
 * with a key in it.
 */
export function toStorageError(error: unknown, action: string): AppError {
  if (isAppError(error)) return error;
  const status = storageStatusOf(error);
  const serviceCode = storageErrorCodeOf(error);
  const unavailable = status === undefined || status >= 500 || status === 408 || status === 429;
  const answer =
    status === undefined
      ? 'no answer from storage'
      : `storage answered ${status}${serviceCode && /^\w{1,64}$/.test(serviceCode) ? ` ${serviceCode}` : ''}`;
  return new AppError({
    code: unavailable ? 'storage_unavailable' : 'storage_request_failed',
    detail: `${action}: ${answer}`,
    cause: error,
  });
}
