import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import type { FunctionDefinition } from '../functions/FunctionDefinition';
import { wrapFunction } from '../functions/wrapFunction';
import { AppError } from '../shared/platform/errors/AppError';

/** What `POST /api/bench/floor` is given: the answer its GETs then return as they are. */
export const floorAnswerSchema = z.object({
  status: z.number().int().min(200).max(599),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
});
export type FloorAnswer = z.infer<typeof floorAnswerSchema>;

/** Set once by a bench before it measures the floor. */
let floorAnswer: HttpResponseInit | undefined;

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
];
