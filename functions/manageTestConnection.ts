import { testJiraConnection } from '../shared/admin/testJiraConnection';
import type { HttpServiceHandler } from './FunctionDefinition';
import { authenticatePanel } from './http/authenticatePanel';
import { jsonResponse } from './http/jsonResponse';

/** `POST /api/manage/panel/test-connection`: does Jira accept the instance's service credential. */
export const manageTestConnection: HttpServiceHandler = async (request, context, services) => {
  const session = await authenticatePanel(request, services);
  await services.instances.require(session.tenantId, session.instanceId);
  const result = await testJiraConnection(services.jiraService, session.tenantId, session.instanceId);
  services.logs
    .of(context, { tenantId: session.tenantId, instanceId: session.instanceId })
    .info(`manageTestConnection: instance=${session.instanceId} ${result.ok ? 'ok' : result.outcome}`);
  return jsonResponse(200, result);
};
