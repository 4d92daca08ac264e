import type { HttpServiceHandler } from './FunctionDefinition';
import { authenticatePanel } from './http/authenticatePanel';
import { jsonResponse } from './http/jsonResponse';

/** `GET /api/manage/panel/subscriptions`: the tenant's mailboxes, their Graph subscriptions, states and expiries. */
export const manageSubscriptions: HttpServiceHandler = async (request, _context, services) => {
  const session = await authenticatePanel(request, services);
  await services.instances.require(session.tenantId, session.instanceId);
  return jsonResponse(200, await services.admin.listSubscriptions(session.tenantId));
};
