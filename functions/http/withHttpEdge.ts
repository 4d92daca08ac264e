import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { isAppError } from '../../shared/platform/errors/AppError';
import { toProblemResponse } from '../../shared/platform/http/problemResponse';
import type { Services } from '../Services';
import type { HttpServiceHandler } from '../FunctionDefinition';

/**
 * The edge of every HTTP function. With HTTP streaming on, an exception that escapes a
 * handler can leave the request unanswered, so every error becomes problem+json here.
 * Only the code and the error's class are logged: a message may carry a token or a URL.
 */
export function withHttpEdge(handler: HttpServiceHandler) {
  return async (request: HttpRequest, context: InvocationContext, services: Services): Promise<HttpResponseInit> => {
    try {
      return await handler(request, context, services);
    } catch (error) {
      const problem = toProblemResponse(error);
      if (isAppError(error)) {
        if (problem.status >= 500) context.warn(`request failed: ${error.code}`);
      } else {
        const name = error instanceof Error ? error.constructor.name : typeof error;
        context.error(`unexpected ${name} in ${context.functionName}`);
      }
      return { status: problem.status, headers: problem.headers, body: problem.body };
    }
  };
}
