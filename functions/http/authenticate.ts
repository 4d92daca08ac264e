import type { HttpRequest } from '@azure/functions';
import type { Caller } from '../../shared/auth/Caller';
import { requireOperator } from '../../shared/auth/requireOperator';
import type { Services } from '../Services';

/**
 * The caller behind an add-in request, from its `Authorization: Bearer` access token.
 * Throws AppError (`unauthenticated`, `invalid_token`, `tenant_not_allowed`,
 * `service_unavailable`) for `withHttpEdge` to turn into problem+json with a challenge.
 */
export function authenticate(request: HttpRequest, services: Services): Promise<Caller> {
  return services.auth.authenticate(request.headers.get('authorization'));
}

/** As `authenticate`, and the caller must hold the configured admin app role. */
export async function authenticateAdmin(request: HttpRequest, services: Services): Promise<Caller> {
  const caller = await authenticate(request, services);
  services.auth.requireAdmin(caller);
  return caller;
}

/** As `authenticate`, and the caller must be the deployment's operator (`OPERATOR_ROLE` in `OPERATOR_TENANT_ID`). */
export async function authenticateOperator(request: HttpRequest, services: Services): Promise<Caller> {
  const caller = await authenticate(request, services);
  requireOperator(caller, services.admin.operator);
  return caller;
}
