import type { FunctionDefinition, FunctionRow } from './FunctionDefinition';
import { withHttpEdge } from './http/withHttpEdge';
import { withPoisonReport } from './withPoisonReport';
import { withServerSpan } from './withServerSpan';

/**
 * The one place a handler is wrapped: an HTTP row gets the edge (problem+json, and its
 * CORS), a queue row the poison count, and every row its server span, outermost so the
 * edge's and the poison report's work is inside it. Both hosts register what this returns as it is.
 */
export function wrapFunction(row: FunctionRow): FunctionDefinition {
  return withServerSpan(withEdges(row));
}

function withEdges(row: FunctionRow): FunctionDefinition {
  switch (row.kind) {
    case 'http': {
      const { cors, handler, ...rest } = row;
      if (!cors) return { ...rest, handler: withHttpEdge(handler) };
      // Without OPTIONS among its methods the host would refuse the preflight before the edge saw it.
      if (!row.methods.includes('OPTIONS')) throw new Error(`function ${row.name} declares CORS but does not take OPTIONS`);
      return { ...rest, handler: withHttpEdge(handler, { policy: cors, methods: row.methods.filter((method) => method !== 'OPTIONS') }) };
    }
    case 'queue':
      return { ...row, handler: withPoisonReport(row.queueName, row.handler) };
    case 'timer':
      return row;
  }
}
