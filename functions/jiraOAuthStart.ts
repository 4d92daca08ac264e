import { AppError, isAppError } from '../shared/platform/errors/AppError';
import { statusForCode } from '../shared/platform/errors/statusForCode';
import { isInstanceId } from '../shared/jira/instanceId';
import type { HttpServiceHandler } from './FunctionDefinition';
import { authenticate } from './http/authenticate';
import { jsonResponse } from './http/jsonResponse';

/**
 * `POST jira/{instanceId}/oauth/start`: gets a request token bound to the caller and
 * answers `{ authorizeUrl }` for the Office dialog. The add-in calls it cross-origin: its
 * row in the function table declares CORS.
 */
export const jiraOAuthStart: HttpServiceHandler = async (request, context, services) => {
  try {
    const caller = await authenticate(request, services);
    const instanceId = request.params.instanceId;
    if (!isInstanceId(instanceId)) throw new AppError({ code: 'instance_not_found', detail: 'no Jira instance with this id' });
    const { authorizeUrl } = await services.oauthDance.start(caller, instanceId);
    services.logs.of(context, { tenantId: caller.tenantId, instanceId }).info(`jiraOAuthStart instance=${instanceId} status=200`);
    return jsonResponse(200, { authorizeUrl });
  } catch (error) {
    if (isAppError(error))
      services.logs.of(context, { problemCode: error.code }).info(`jiraOAuthStart status=${statusForCode(error.code)} code=${error.code}`);
    throw error;
  }
};
