import { isAppError } from '../../shared/platform/errors/AppError';
import { corsHeaders, preflightHeaders, withCorsHeaders, type CorsPolicy } from '../../shared/platform/http/cors';
import { toProblemResponse } from '../../shared/platform/http/problemResponse';
import { markSpanFailed } from '../../shared/platform/telemetry/markSpanFailed';
import type { HttpServiceHandler } from '../FunctionDefinition';

/** CORS of one route: its policy, and the methods a preflight may be granted. */
export interface EdgeCors {
  policy: CorsPolicy;
  methods: readonly string[];
}

/**
 * The edge of every HTTP function. With HTTP streaming on, an exception that escapes a
 * handler can leave the request unanswered, so every error becomes problem+json here.
 * Only the code and the error's class are logged: a message may carry a token or a URL.
 * With `cors`, preflights are answered here (no authentication: a browser sends none) and
 * every answer carries the CORS headers, problems included, so the page can read them.
 */
export function withHttpEdge(handler: HttpServiceHandler, cors?: EdgeCors): HttpServiceHandler {
  return async (request, context, services) => {
    let corsOnAnswer: Record<string, string> | undefined;
    if (cors) {
      const allowedOrigins = services.config.settings.ALLOWED_ORIGINS;
      const origin = request.headers.get('origin');
      if (request.method.toUpperCase() === 'OPTIONS')
        return { status: 204, headers: preflightHeaders(cors.policy, cors.methods, origin, allowedOrigins) };
      corsOnAnswer = corsHeaders(cors.policy, origin, allowedOrigins);
    }
    try {
      const response = await handler(request, context, services);
      return corsOnAnswer ? { ...response, headers: withCorsHeaders(response.headers, corsOnAnswer) } : response;
    } catch (error) {
      const problem = toProblemResponse(error);
      // The request's span (wrapFunction) sees an answer, not the error: it gets the code here.
      markSpanFailed(error);
      if (isAppError(error)) {
        if (problem.status >= 500) services.logs.of(context, { problemCode: error.code }).warn(`request failed: ${error.code}`);
      } else {
        const name = error instanceof Error ? error.constructor.name : typeof error;
        services.logs.of(context).error(`unexpected ${name} in ${context.functionName}`);
      }
      return {
        status: problem.status,
        headers: corsOnAnswer ? withCorsHeaders(problem.headers, corsOnAnswer) : problem.headers,
        body: problem.body,
      };
    }
  };
}
