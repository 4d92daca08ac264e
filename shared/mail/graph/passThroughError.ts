import { GraphClientError } from '@microsoft/microsoft-graph-client';
import { AppError } from '../../platform/errors/AppError';

/**
 * The SDK turns any error thrown by a middleware into a `GraphError` and loses its type,
 * except a `GraphClientError`, which it rethrows as it is. So our middlewares throw our
 * AppError inside one, and `unwrapGraphError` takes it out again.
 */
export function passThroughError(error: unknown): Error {
  const appError = error instanceof AppError ? error : new AppError({ code: 'internal', cause: error });
  const wrapper = new GraphClientError(appError.code);
  wrapper.customError = appError;
  return wrapper;
}

export function unwrapGraphError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (typeof error === 'object' && error !== null && 'customError' in error && error.customError instanceof AppError)
    return error.customError;
  return new AppError({ code: 'upstream_unreachable', detail: 'Microsoft Graph could not be reached', cause: error });
}
