import type { HttpRequest } from '@azure/functions';
import { instanceBinding, type PanelSession } from '../../shared/admin/PanelSessions';
import { AppError } from '../../shared/platform/errors/AppError';
import { isInstanceId } from '../../shared/jira/instanceId';
import type { Services } from '../Services';
import { authenticateAdmin } from './authenticate';

/** The header the panel page sends its session token in. */
export const PANEL_SESSION_HEADER = 'x-panel-session';

/**
 * The caller of a panel endpoint: the page's session token (`X-Panel-Session`, checked
 * against the instance's current row), or — for scripts and the sign-in outside Jira — an
 * admin bearer token with the instance named in `?instanceId=`. Throws
 * `panel_session_invalid`, `instance_not_found`, or the bearer authenticator's errors.
 */
export async function authenticatePanel(request: HttpRequest, services: Services): Promise<PanelSession> {
  const token = request.headers.get(PANEL_SESSION_HEADER);
  if (token !== null) return services.admin.sessions.verify(token.trim());
  const caller = await authenticateAdmin(request, services);
  const instanceId = request.query.get('instanceId');
  if (!isInstanceId(instanceId))
    throw new AppError({ code: 'invalid_query', detail: 'instanceId: expected the id of one of your instances' });
  const instance = await services.instances.require(caller.tenantId, instanceId);
  const now = Math.floor(services.clock.now() / 1000);
  return {
    tenantId: caller.tenantId,
    instanceId,
    subject: caller.userId,
    via: 'entra',
    startedAt: now,
    expiresAt: now,
    binding: instanceBinding(instance.entity),
  };
}
