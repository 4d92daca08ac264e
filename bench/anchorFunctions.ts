import type { HttpResponseInit } from '@azure/functions';
import { request, type Agent } from 'undici';
import { z } from 'zod';
import type { FunctionDefinition } from '../functions/FunctionDefinition';
import { wrapFunction } from '../functions/wrapFunction';
import { AppError } from '../shared/platform/errors/AppError';
import { floorAgent } from './floorAgent';

/** What `POST /api/bench/floor` is given: the answer its GETs then return as they are. */
export const floorAnswerSchema = z.object({
  status: z.number().int().min(200).max(599),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
});
export type FloorAnswer = z.infer<typeof floorAnswerSchema>;

/** Set once by a bench before it measures the floor. */
let floorAnswer: HttpResponseInit | undefined;

/** The queue `benchEmptyQueue` is triggered by; a bench fills it itself (`queueTriggerCost.ts`). */
export const EMPTY_QUEUE = 'bench-empty';
/** Served only when a bench names it: an idle poller would add its polls to every other bench's figures. */
export const EMPTY_QUEUE_FUNCTION = 'benchEmptyQueue';

/** What `POST /api/bench/relay-upstream` is given: the origin `bench/relay/…` relays to. */
const relayUpstreamSchema = z.object({ upstream: z.string().url() });
/** Set once by a bench before it measures the host relay floor. */
let relay: { upstream: string; agent: Agent } | undefined;

/**
 * Rows the bench adds to the function table it serves: handlers that do nothing, measured
 * on the same local host as the app's, so that the host's own cost (routing, the
 * `HttpRequest`/`HttpResponse` conversions, node:http) is the anchor the app is read against.
 * A POST's body is read (every real handler must), nothing else is done; wrapped like every
 * row of the table, so the edge's cost is in the anchor too.
 *
 * `bench/floor` is the least any handler can do to give a given answer: a bench POSTs the
 * bytes of a real answer (its headers and body) once, and every GET returns that very
 * answer, built before the run. What it costs over `bench/empty` is the host's and the
 * worker's price of those headers and bytes, which no handler can avoid.
 *
 * `bench/relay/{*path}` is the least any proxy on this host can do: the GET sent on to the
 * upstream a bench named once (`bench/relay-upstream`) through the app's own undici pool, with
 * the caller's `Authorization` and nothing else, and the answer given back with its status and
 * content type. No auth check, no signature, no path policy, no header policy, no streaming.
 *
 * `benchEmptyQueue` is a queue function that does nothing: what a message costs the process
 * with it is the local host's side of a queue trigger (its share of a receive, the dispatch,
 * the delete). In Azure the Functions host does that in its own process, so the fan-out reads
 * its app CPU net of it. Not wrapped: the app's wrapping is the app's cost, not the host's.
 */
export const anchorFunctions: readonly FunctionDefinition[] = [
  wrapFunction({
    kind: 'http',
    name: 'benchEmpty',
    route: 'bench/empty',
    methods: ['GET', 'POST'],
    handler: async (request) => {
      if (request.method === 'POST') await request.arrayBuffer();
      return { status: request.method === 'POST' ? 202 : 200 };
    },
  }),
  wrapFunction({
    kind: 'http',
    name: 'benchFloor',
    route: 'bench/floor',
    methods: ['GET', 'POST'],
    handler: async (request) => {
      if (request.method === 'GET') {
        if (floorAnswer) return floorAnswer;
        throw new AppError({ code: 'conflict', detail: 'No answer was given to the floor yet' });
      }
      const given = floorAnswerSchema.safeParse(await request.json().catch(() => undefined));
      if (!given.success) throw new AppError({ code: 'bad_request', detail: 'The floor takes { status, headers, body }' });
      floorAnswer = given.data;
      return { status: 204 };
    },
  }),
  wrapFunction({
    kind: 'http',
    name: 'benchRelayUpstream',
    route: 'bench/relay-upstream',
    methods: ['POST'],
    handler: async (request) => {
      const given = relayUpstreamSchema.safeParse(await request.json().catch(() => undefined));
      if (!given.success) throw new AppError({ code: 'bad_request', detail: 'The relay takes { upstream }' });
      relay = { upstream: given.data.upstream.replace(/\/+$/, ''), agent: relay?.agent ?? floorAgent() };
      return { status: 204 };
    },
  }),
  wrapFunction({
    kind: 'http',
    name: 'benchRelay',
    route: 'bench/relay/{*path}',
    methods: ['GET'],
    handler: async (incoming) => {
      if (!relay) throw new AppError({ code: 'conflict', detail: 'No upstream was given to the relay yet' });
      const authorization = incoming.headers.get('authorization');
      const answer = await request(`${relay.upstream}/${incoming.params.path ?? ''}`, {
        dispatcher: relay.agent,
        headers: authorization === null ? {} : { authorization },
      });
      const contentType = answer.headers['content-type'];
      const headers: Record<string, string> = typeof contentType === 'string' ? { 'content-type': contentType } : {};
      // Read whole, then answered as bytes: for the bench's 1 KiB answer cheaper than a stream through the host, so a lower floor.
      return { status: answer.statusCode, headers, body: Buffer.from(await answer.body.arrayBuffer()) };
    },
  }),
  { kind: 'queue', name: EMPTY_QUEUE_FUNCTION, queueName: EMPTY_QUEUE, handler: async () => {} },
];
