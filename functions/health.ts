import type { HttpServiceHandler } from './FunctionDefinition';
import { jsonResponse } from './http/jsonResponse';

/** 200 when tables and queues answer, 503 otherwise: what a load balancer or probe needs. */
export const health: HttpServiceHandler = async (_request, _context, services) => {
  const result = await services.storageHealth.check();
  return jsonResponse(result.ok ? 200 : 503, { status: result.ok ? 'ok' : 'unavailable', checks: result.checks });
};
