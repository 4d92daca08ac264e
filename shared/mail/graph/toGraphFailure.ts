import { AppError } from '../../platform/errors/AppError';
import { retryAfterSeconds } from './retryAfterSeconds';
import { throttledError } from './throttledError';

/** Graph answers 429 without Retry-After rarely; then wait this long. */
const DEFAULT_THROTTLE_SECONDS = 10;

/**
 * A non-2xx Graph answer as an AppError with a stable code. Only Graph's machine error
 * code goes into the detail: its message can quote user or mailbox data.
 */
export async function toGraphFailure(response: Response, action: string, now: number): Promise<AppError> {
  const status = response.status;
  const graphCode = await errorCodeOf(response);
  const detail = `${action}: Graph answered ${status}${graphCode ? ` ${graphCode}` : ''}`;
  const retryAfter = response.headers.get('retry-after');
  if (status === 429 || ((status === 503 || status === 504) && retryAfter)) {
    return throttledError('Microsoft Graph', retryAfterSeconds(retryAfter, now, DEFAULT_THROTTLE_SECONDS));
  }
  if (status === 404) return new AppError({ code: 'graph_not_found', detail });
  if (status === 401 || status === 403) return new AppError({ code: 'graph_access_denied', detail });
  if (status >= 400 && status < 500)
    return new AppError({ code: 'graph_request_failed', detail, extensions: graphCode ? { graphCode } : {} });
  return new AppError({ code: 'upstream_bad_response', detail });
}

async function errorCodeOf(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.json()) as unknown;
    if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
    const { error } = body;
    if (typeof error !== 'object' || error === null || !('code' in error) || typeof error.code !== 'string') return undefined;
    return /^[\w.-]{1,64}$/.test(error.code) ? error.code : undefined;
  } catch {
    return undefined;
  }
}
