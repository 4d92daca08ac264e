import { editPanelInstance, panelInstanceEditSchema } from '../shared/admin/editPanelInstance';
import { AppError } from '../shared/platform/errors/AppError';
import type { HttpServiceHandler } from './FunctionDefinition';
import { authenticatePanel } from './http/authenticatePanel';
import { jsonResponse } from './http/jsonResponse';
import { readRequestJson } from './http/readRequestJson';

const MAX_BODY_BYTES = 4 * 1024;

/**
 * `PATCH /api/manage/panel/instance` `{ "displayName"?, "baseUrl"? }`: the panel edits its
 * own instance — the one its session was opened for, never another — through the admin
 * route's registration (same checks). The session travels in a header that a cross-site
 * form cannot set and that makes another origin's fetch a preflight the app never allows:
 * no other site can make the admin's browser send this.
 */
export const managePanelInstance: HttpServiceHandler = async (request, context, services) => {
  const session = await authenticatePanel(request, services);
  const body = panelInstanceEditSchema.safeParse(await readRequestJson(request, MAX_BODY_BYTES));
  if (!body.success)
    throw new AppError({
      code: 'invalid_body',
      detail: body.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '),
    });
  const view = await editPanelInstance(
    { tenantId: session.tenantId, instanceId: session.instanceId, edit: body.data },
    { instances: services.instances },
  );
  // Which fields, not their values: a URL can carry a customer's host names.
  context.log(`managePanelInstance: instance=${session.instanceId} edited=${Object.keys(body.data).sort().join(',')}`);
  return jsonResponse(200, view);
};
