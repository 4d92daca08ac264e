import { AppError, isAppError } from '../errors/AppError';
import { statusForCode, titleForCode } from '../errors/statusForCode';
import { problemTypeUri } from './renderProblemTypesPage';

export interface ProblemResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * RFC 9457 problem details. Anything that is not an AppError becomes `internal` with no
 * detail: the message of an unexpected error may carry a token, a URL or a stack.
 */
export function toProblemResponse(error: unknown, instance?: string): ProblemResponse {
  const appError = isAppError(error) ? error : new AppError({ code: 'internal' });
  const status = statusForCode(appError.code);
  const problem: Record<string, unknown> = {
    ...appError.extensions,
    type: problemTypeUri(appError.code),
    title: titleForCode(appError.code),
    status,
    code: appError.code,
  };
  if (appError.detail) problem.detail = appError.detail;
  if (instance) problem.instance = instance;
  return {
    status,
    headers: {
      ...appError.headers,
      'Content-Type': PROBLEM_CONTENT_TYPE,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
    body: JSON.stringify(problem),
  };
}
