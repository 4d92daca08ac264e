import { z } from 'zod';
import { AppError } from '../shared/platform/errors/AppError';
import type { HttpServiceHandler } from './FunctionDefinition';
import { authenticatePanel } from './http/authenticatePanel';
import { jsonResponse } from './http/jsonResponse';
import { readListQuery } from './http/readListQuery';

export const panelLinksQuerySchema = z.object({ issueKey: z.string().trim().max(255).optional() });

/** `GET /api/manage/panel/links?issueKey=DEMO&limit=&next=`: the instance's links counted per issue, searchable by issue key, a page at a time. */
export const manageLinks: HttpServiceHandler = async (request, _context, services) => {
  const session = await authenticatePanel(request, services);
  await services.instances.require(session.tenantId, session.instanceId);
  const query = panelLinksQuerySchema.safeParse({ issueKey: request.query.get('issueKey') ?? undefined });
  if (!query.success) throw new AppError({ code: 'invalid_query', detail: 'issueKey: at most 255 characters' });
  const page = readListQuery(request);
  const result = await services.admin.listLinks({
    tenantId: session.tenantId,
    instanceId: session.instanceId,
    ...(query.data.issueKey ? { issueKey: query.data.issueKey } : {}),
    page,
  });
  return jsonResponse(200, result);
};
