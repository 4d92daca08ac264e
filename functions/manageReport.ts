import { z } from 'zod';
import { AppError } from '../shared/platform/errors/AppError';
import type { HttpServiceHandler } from './FunctionDefinition';
import { authenticatePanel } from './http/authenticatePanel';
import { jsonResponse } from './http/jsonResponse';

export const reportQuerySchema = z.object({ days: z.coerce.number().int().min(1).max(31).default(14) });

/** `GET /api/manage/panel/report?days=14`: per-day counts, the latest failures and the poison queues. */
export const manageReport: HttpServiceHandler = async (request, _context, services) => {
  const session = await authenticatePanel(request, services);
  await services.instances.require(session.tenantId, session.instanceId);
  const query = reportQuerySchema.safeParse({ days: request.query.get('days') ?? undefined });
  if (!query.success) throw new AppError({ code: 'invalid_query', detail: 'days: expected a whole number from 1 to 31' });
  const report = await services.admin.report({ tenantId: session.tenantId, instanceId: session.instanceId, days: query.data.days });
  return jsonResponse(200, report);
};
