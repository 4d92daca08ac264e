import { AppError, isAppError } from '../shared/platform/errors/AppError';
import { toProblemResponse } from '../shared/platform/http/problemResponse';
import { isInstanceId } from '../shared/jira/instanceId';
import { corsHeaders, preflightHeaders } from '../shared/proxy/corsHeaders';
import type { HttpServiceHandler } from './FunctionDefinition';
import { authenticate } from './http/authenticate';
import { jsonResponse } from './http/jsonResponse';

/**
 * `POST jira/{instanceId}/oauth/start`: gets a request token bound to the caller and
 * answers `{ authorizeUrl }` for the Office dialog. The add-in calls it cross-origin, so it
 * answers its preflight and carries CORS headers on errors too.
 */
export const jiraOAuthStart: HttpServiceHandler = async (request, context, services) => {
  const origin = request.headers.get('origin');
  const allowed = services.config.settings.ALLOWED_ORIGINS;
  if (request.method.toUpperCase() === 'OPTIONS') return { status: 204, headers: preflightHeaders(origin, allowed) };
  const cors = corsHeaders(origin, allowed);
  try {
    const caller = await authenticate(request, services);
    const instanceId = request.params.instanceId;
    if (!isInstanceId(instanceId)) throw new AppError({ code: 'instance_not_found', detail: 'no Jira instance with this id' });
    const { authorizeUrl } = await services.oauthDance.start(caller, instanceId);
    context.log(`jiraOAuthStart instance=${instanceId} status=200`);
    return jsonResponse(200, { authorizeUrl }, cors);
  } catch (error) {
    if (!isAppError(error)) throw error;
    const problem = toProblemResponse(error);
    context.log(`jiraOAuthStart status=${problem.status} code=${error.code}`);
    return { status: problem.status, headers: { ...problem.headers, ...cors }, body: problem.body };
  }
};
