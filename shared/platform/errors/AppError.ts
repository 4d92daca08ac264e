import type { ErrorCode } from './errorCodes';

export interface AppErrorInit {
  code: ErrorCode;
  /** Safe for the caller: never a token, an upstream body or a stack. */
  detail?: string;
  /** Extra response headers the error implies (e.g. `WWW-Authenticate`, `Retry-After`). */
  headers?: Record<string, string>;
  /** Extra problem members, e.g. `{ startUrl }` for `jira_authorization_required`. */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The one error type the app throws on purpose. Its `code` is stable and machine-readable;
 * the HTTP status is derived from it by `statusForCode`, never chosen at the throw site.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(init: AppErrorInit) {
    super(init.detail ? `${init.code}: ${init.detail}` : init.code, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'AppError';
    this.code = init.code;
    this.detail = init.detail;
    this.headers = init.headers ?? {};
    this.extensions = init.extensions ?? {};
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
