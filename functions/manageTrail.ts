import { z } from 'zod';
import { AppError } from '../shared/platform/errors/AppError';
import type { HttpServiceHandler } from './FunctionDefinition';
import { authenticatePanel } from './http/authenticatePanel';
import { jsonResponse } from './http/jsonResponse';

/** Graph message and conversation ids and internetMessageIds are all well under 2 KiB. */
export const trailQuerySchema = z.object({ id: z.string().trim().min(1).max(2048) });

/**
 * `GET /api/manage/panel/trail?id=…`: "why was I, or wasn't I, notified?" for a mail of the
 * session's tenant, found by its internetMessageId, Graph message id or conversation id.
 */
export const manageTrail: HttpServiceHandler = async (request, _context, services) => {
  const session = await authenticatePanel(request, services);
  await services.instances.require(session.tenantId, session.instanceId);
  const query = trailQuerySchema.safeParse({ id: request.query.get('id') ?? undefined });
  if (!query.success)
    throw new AppError({ code: 'invalid_query', detail: 'id: an internetMessageId, a Graph message id or a conversation id' });
  return jsonResponse(200, await services.admin.mailTrail(session.tenantId, query.data.id));
};
