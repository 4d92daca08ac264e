import type http from 'node:http';
import { z } from 'zod';
import { answerUserRequest, graphError, type SimulatedAnswer } from './answerUserRequest';
import type { AccessTokenGrant, GraphSimulatorState } from './GraphSimulatorState';
import { readJson, sendGraphError, sendJson } from './simulatorHttp';

/**
 * Graph's own limit of requests in one batch. The simulator stands for Graph, so it keeps
 * its own copy rather than the app's (the layering keeps dev/sandbox off the app's Graph code).
 */
const MAX_BATCH_REQUESTS = 20;

const batchSchema = z.object({
  requests: z
    .array(
      z.object({
        id: z.string().min(1),
        method: z.string().min(1),
        url: z.string().min(1),
        headers: z.record(z.string(), z.string()).optional(),
        body: z.unknown().optional(),
        dependsOn: z.array(z.string()).optional(),
      }),
    )
    .min(1),
});

/**
 * `POST /v1.0/$batch`, JSON batching as Graph documents it: a `requests` array of at most 20,
 * each with an `id` unique in the batch (case-insensitive), a `method` and a `url` relative to
 * the version (`/users/…`), `headers` with a Content-Type whenever there is a `body`. A batch
 * breaking one of these is refused whole with 400; an accepted one answers 200 with one
 * response per request, matched by id and not in request order (Graph runs them in any
 * order). Within, the simulator serves `GET /users/{id}`; anything else gets its own 400.
 */
export async function handleGraphBatch(
  state: GraphSimulatorState,
  grant: AccessTokenGrant,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const raw = await readJson(request);
  const count = typeof raw === 'object' && raw !== null && 'requests' in raw && Array.isArray(raw.requests) ? raw.requests.length : 0;
  // Graph's message for an oversized batch (microsoftgraph/microsoftgraph-postman-collections#9).
  if (count > MAX_BATCH_REQUESTS) return sendGraphError(response, 400, 'BadRequest', 'Number of requests inside batch exceeds the limit.');
  const parsed = batchSchema.safeParse(raw);
  if (!parsed.success) return sendGraphError(response, 400, 'BadRequest', 'Invalid batch payload format.');
  const ids = new Set<string>();
  for (const item of parsed.data.requests) {
    const id = item.id.toLowerCase();
    if (ids.has(id)) return sendGraphError(response, 400, 'BadRequest', 'Batch request contains duplicate request ids.');
    ids.add(id);
    if (/^[a-z][a-z0-9+.-]*:/i.test(item.url))
      return sendGraphError(response, 400, 'BadRequest', 'Invalid request URL: it must be relative.');
    const hasContentType = Object.keys(item.headers ?? {}).some((name) => name.toLowerCase() === 'content-type');
    if (item.body !== undefined && !hasContentType)
      return sendGraphError(response, 400, 'BadRequest', 'A request with a body needs a Content-Type header.');
  }
  const responses = parsed.data.requests.map((item) => {
    const answer = answerOne(state, grant, item.method, item.url);
    return { id: item.id, status: answer.status, headers: { 'Content-Type': 'application/json' }, body: answer.body };
  });
  return sendJson(response, 200, { responses: responses.reverse() });
}

function answerOne(state: GraphSimulatorState, grant: AccessTokenGrant, method: string, url: string): SimulatedAnswer {
  let target: URL;
  let segments: string[];
  try {
    target = new URL(url.startsWith('/') ? url : `/${url}`, 'http://graph.invalid');
    segments = target.pathname
      .split('/')
      .slice(1)
      .map((segment) => decodeURIComponent(segment));
  } catch {
    return graphError(400, 'BadRequest', 'The request URL is not valid.');
  }
  if (method.toUpperCase() === 'GET' && segments.length === 2 && segments[0] === 'users' && segments[1]) {
    const select = target.searchParams
      .get('$select')
      ?.split(',')
      .map((field) => field.trim())
      .filter(Boolean);
    return answerUserRequest(state, grant, segments[1], select);
  }
  return graphError(400, 'BadRequest', `The sandbox's batch serves GET /users/{id} only, not ${method.toUpperCase()} ${target.pathname}.`);
}
