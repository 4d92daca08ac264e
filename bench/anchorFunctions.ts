import type { FunctionDefinition } from '../functions/FunctionDefinition';
import { wrapFunction } from '../functions/wrapFunction';

/**
 * Rows the bench adds to the function table it serves: handlers that do nothing, measured
 * on the same local host as the app's, so that the host's own cost (routing, the
 * `HttpRequest`/`HttpResponse` conversions, node:http) is the anchor the app is read against.
 * A POST's body is read (every real handler must), nothing else is done; wrapped like every
 * row of the table, so the edge's cost is in the anchor too.
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
];
