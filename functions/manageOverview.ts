import { loadPanelOverview } from '../shared/admin/loadPanelOverview';
import type { HttpServiceHandler } from './FunctionDefinition';
import { authenticatePanel } from './http/authenticatePanel';
import { jsonResponse } from './http/jsonResponse';

/** `GET /api/manage/panel/overview`: the instance (keys for the application link), its service credential and license. */
export const manageOverview: HttpServiceHandler = async (request, _context, services) => {
  const session = await authenticatePanel(request, services);
  const instance = await services.instances.require(session.tenantId, session.instanceId);
  return jsonResponse(
    200,
    await loadPanelOverview(instance, session, { licenses: services.licenses, callbackUrl: services.instances.callbackUrl }),
  );
};
