import type { HttpServiceHandler } from './FunctionDefinition';
import { authenticatePanel, PANEL_SESSION_HEADER } from './http/authenticatePanel';
import { jsonResponse } from './http/jsonResponse';

/**
 * `POST /api/manage/panel/session`: a panel session token. With a valid session token it is
 * renewed (the page does so every few minutes, up to the session's maximum age, and only
 * while its instance and panel secret are the ones it was opened for); with an admin
 * bearer token and `?instanceId=` a new session starts — how the panel opens outside Jira.
 */
export const manageSession: HttpServiceHandler = async (request, context, services) => {
  const session = await authenticatePanel(request, services);
  const { sessions } = services.admin;
  if (request.headers.get(PANEL_SESSION_HEADER) !== null) {
    const renewed = sessions.renew(session);
    return jsonResponse(200, { token: renewed.token, expiresAt: new Date(renewed.session.expiresAt * 1000).toISOString() });
  }
  const instance = await services.instances.require(session.tenantId, session.instanceId);
  const opened = sessions.open({ instance: instance.entity, subject: session.subject, via: session.via });
  services.logs
    .of(context, { tenantId: session.tenantId, instanceId: session.instanceId })
    .info(`manageSession: opened for instance=${session.instanceId} via=${session.via}`);
  return jsonResponse(200, { token: opened.token, expiresAt: new Date(opened.session.expiresAt * 1000).toISOString() });
};
