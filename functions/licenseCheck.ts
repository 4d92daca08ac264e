import { AppError } from '../shared/platform/errors/AppError';
import type { HttpServiceHandler } from './FunctionDefinition';
import { authenticate } from './http/authenticate';
import { jsonResponse } from './http/jsonResponse';
import { SerializedJson } from './http/SerializedJson';

/**
 * `GET /api/licenses/{instanceId}`: is the Jira app licensed on the caller's instance.
 * An instance of another tenant is looked up in the caller's own partition and is simply
 * not there, so the 404 cannot tell "someone else's" from "nobody's".
 * `Cache-Control: private, max-age` is the time until the decision must be checked again,
 * so the add-in asks no more often than the answer can change.
 */
export const licenseCheck: HttpServiceHandler = async (request, _context, services) => {
  const caller = await authenticate(request, services);
  const instanceId = request.params.instanceId ?? '';
  const instance = await services.instances.find(caller.tenantId, instanceId);
  if (!instance) throw new AppError({ code: 'instance_not_found' });

  const { answer, reuseUntil } = await services.licenses.check(instance);
  const maxAge = Math.max(0, Math.floor((reuseUntil - services.clock.now()) / 1000));
  // The service hands out one frozen answer per decision until it must be checked again.
  return jsonResponse(200, SerializedJson.once(answer), { 'Cache-Control': `private, max-age=${maxAge}`, Vary: 'Authorization' });
};
