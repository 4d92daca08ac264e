import type { HttpServiceHandler } from './FunctionDefinition';
import { authenticateOperator } from './http/authenticate';
import { jsonResponse } from './http/jsonResponse';

/**
 * `GET /api/manage/health`: the deep health answer for the deployment's operator (their
 * bearer token). Answered 200 with what each check found, degraded or not: the caller asked
 * for the details. `/api/health` stays the anonymous, cheap probe.
 */
export const manageHealth: HttpServiceHandler = async (request, _context, services) => {
  await authenticateOperator(request, services);
  return jsonResponse(200, await services.admin.health.check());
};
