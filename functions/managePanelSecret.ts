import { AppError } from '../shared/platform/errors/AppError';
import { isInstanceId } from '../shared/jira/instanceId';
import type { HttpServiceHandler } from './FunctionDefinition';
import { authenticateAdmin } from './http/authenticate';
import { jsonResponse } from './http/jsonResponse';

/**
 * `POST /api/manage/panel/secret?instanceId=…` with the admin bearer token: gives the
 * instance a new panel secret and answers it once, with the issuer, for the Jira app's
 * configuration. The previous secret stops working at once. A panel session cannot call
 * this: whoever holds the secret can open the panel.
 */
export const managePanelSecret: HttpServiceHandler = async (request, context, services) => {
  const caller = await authenticateAdmin(request, services);
  const instanceId = request.query.get('instanceId');
  if (!isInstanceId(instanceId))
    throw new AppError({ code: 'invalid_query', detail: 'instanceId: expected the id of one of your instances' });
  const credentials = await services.admin.panelSecrets.issue({ tenantId: caller.tenantId, instanceId });
  services.logs
    .of(context, { tenantId: caller.tenantId, instanceId })
    .info(`managePanelSecret: new panel secret for instance=${instanceId}`);
  return jsonResponse(200, { ...credentials, panelPath: '/api/manage/ui' });
};
