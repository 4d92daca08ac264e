import type { HttpServiceHandler } from './FunctionDefinition';
import { authenticate } from './http/authenticate';

/**
 * `jira/{instanceId}/proxy/{*path}`: the add-in's way to Jira when it cannot reach it
 * directly. The proxy answers every error itself (problem+json, so the add-in can read
 * `jira_authorization_required` and its start URL) and logs one line; CORS comes from the row.
 */
export const jiraProxy: HttpServiceHandler = async (request, context, services) => {
  // The route's instance id: the logger keeps it only if it has an instance id's shape.
  const log = services.logs.of(context, { instanceId: request.params.instanceId });
  const result = await services.jiraProxy.handle({
    method: request.method,
    url: request.url,
    headers: request.headers,
    body: request.body as ReadableStream<Uint8Array> | null,
    params: request.params,
    authenticate: () => authenticate(request, services),
    log: { info: (line) => log.info(line), error: (line) => log.error(line) },
  });
  return { status: result.status, headers: result.headers, body: result.body };
};
