import { errorCodes, type ErrorCode } from './errorCodes';

/** The one pure mapping from a stable error code to an HTTP status. */
export function statusForCode(code: ErrorCode): number {
  return errorCodes[code].status;
}

export function titleForCode(code: ErrorCode): string {
  return errorCodes[code].title;
}
