import type { HttpServiceHandler } from './FunctionDefinition';
import { authenticatePanel } from './http/authenticatePanel';
import { jsonResponse } from './http/jsonResponse';
import { readListQuery } from './http/readListQuery';

/** `GET /api/manage/panel/subscriptions?limit=&next=`: the tenant's mailboxes, their Graph subscriptions, states and expiries, a page at a time. */
export const manageSubscriptions: HttpServiceHandler = async (request, _context, services) => {
  const session = await authenticatePanel(request, services);
  await services.instances.require(session.tenantId, session.instanceId);
  const page = readListQuery(request);
  return jsonResponse(200, await services.admin.listSubscriptions({ tenantId: session.tenantId, page }));
};
