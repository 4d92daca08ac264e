import type { HttpRequest } from '@azure/functions';
import { AppError } from '../shared/platform/errors/AppError';
import { registerInstanceBodySchema } from '../shared/jira/registerInstanceBodySchema';
import type { HttpServiceHandler } from './FunctionDefinition';
import { authenticateAdmin } from './http/authenticate';
import { jsonResponse } from './http/jsonResponse';
import { readListQuery } from './http/readListQuery';
import { readRequestJson } from './http/readRequestJson';

const MAX_BODY_BYTES = 64 * 1024;

/**
 * `manage/instances/{instanceId?}` for callers with the admin app role: list, show,
 * register (PUT, answering what the Jira admin pastes into the application link) and
 * remove Jira instances of the caller's tenant. Never returns a secret.
 */
export const manageInstances: HttpServiceHandler = async (request, context, services) => {
  const caller = await authenticateAdmin(request, services);
  const instanceId = request.params.instanceId;
  const { instances } = services;
  switch (request.method.toUpperCase()) {
    case 'GET':
      if (instanceId === undefined) {
        const page = readListQuery(request);
        const views = await instances.list(caller.tenantId);
        return jsonResponse(
          200,
          services.paging.page(views, { ...page, scope: `instances\n${caller.tenantId}` }, (view) => view.instanceId),
        );
      }
      return jsonResponse(200, await instances.view(caller.tenantId, instanceId));
    case 'PUT': {
      if (instanceId === undefined)
        throw new AppError({ code: 'method_not_allowed', detail: 'PUT needs an instance id', headers: { Allow: 'GET' } });
      const body = registerInstanceBodySchema.safeParse(await readRegistration(request));
      if (!body.success) {
        throw new AppError({
          code: 'invalid_body',
          detail: body.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '),
        });
      }
      const result = await instances.register(caller.tenantId, instanceId, body.data);
      services.logs
        .of(context, { tenantId: caller.tenantId, instanceId: result.view.instanceId })
        .info(`manageInstances PUT instance=${result.view.instanceId} created=${result.created}`);
      // The iframe's shared secret is handed out once, at first registration; re-registering
      // keeps it (POST admin/panel/secret rotates it).
      const panel = result.created ? await services.admin.panelSecrets.issue({ tenantId: caller.tenantId, instanceId }) : undefined;
      return jsonResponse(result.created ? 201 : 200, panel ? { ...result.view, panel } : result.view);
    }
    case 'DELETE': {
      if (instanceId === undefined)
        throw new AppError({ code: 'method_not_allowed', detail: 'DELETE needs an instance id', headers: { Allow: 'GET' } });
      if (!(await instances.remove(caller.tenantId, instanceId)))
        throw new AppError({ code: 'instance_not_found', detail: 'no Jira instance with this id' });
      services.logs.of(context, { tenantId: caller.tenantId, instanceId }).info(`manageInstances DELETE instance=${instanceId}`);
      return { status: 204, headers: { 'Cache-Control': 'no-store' } };
    }
    default:
      throw new AppError({ code: 'method_not_allowed', headers: { Allow: 'GET, PUT, DELETE' } });
  }
};

/** A declared length over the limit is refused before a byte is read. */
async function readRegistration(request: HttpRequest): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES)
    throw new AppError({ code: 'payload_too_large', detail: `the body is larger than ${MAX_BODY_BYTES} bytes` });
  return readRequestJson(request, MAX_BODY_BYTES);
}
