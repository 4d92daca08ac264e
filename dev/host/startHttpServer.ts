import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FunctionDefinition } from '../../functions/FunctionDefinition';
import { AppError } from '../../shared/platform/errors/AppError';
import type { ErrorCode } from '../../shared/platform/errors/errorCodes';
import { toProblemResponse } from '../../shared/platform/http/problemResponse';
import type { Services } from '../../functions/Services';
import type { HostLog } from './HostLog';
import { HttpRouter } from './HttpRouter';
import { newInvocationContext } from './newInvocationContext';
import { toHttpRequest } from './toHttpRequest';
import { writeHttpResponse } from './writeHttpResponse';
import { listen } from '../listen';

export type HttpFunctionDefinition = Extract<FunctionDefinition, { kind: 'http' }>;

export interface HttpServerInit {
  functions: readonly HttpFunctionDefinition[];
  services: Services;
  log: HostLog;
  /** 127.0.0.1 unless told otherwise: this is a development host. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  routePrefix?: string;
  /** How long `stop()` lets running requests finish before cutting their connections. */
  stopGraceMs?: number;
}

export interface RunningHttpServer {
  /** `http://host:port`, no trailing slash. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * The HTTP side of the local host: the function table's HTTP rows behind a `node:http` server.
 * Handlers arrive wrapped (`wrapFunction`), as Azure gets them; one that throws anyway gets a
 * bare 500 problem here, as the worker would answer it.
 */
export async function startHttpServer(init: HttpServerInit): Promise<RunningHttpServer> {
  const host = init.host ?? '127.0.0.1';
  const router = new HttpRouter({ functions: init.functions, routePrefix: init.routePrefix ?? 'api' });
  let origin = '';

  const serve = async (incoming: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = performance.now();
    const method = (incoming.method ?? 'GET').toUpperCase();
    let name = '-';
    const finish = (outcome = '') =>
      init.log.write('info', `${method} ${name} ${response.statusCode} ${Math.round(performance.now() - started)}ms${outcome}`);

    const target = incoming.url ?? '/';
    if (!target.startsWith('/')) {
      writeProblem(response, 'bad_request');
      return finish();
    }
    const resolution = router.resolve(method, target.split('?', 1)[0] ?? '/');
    if (resolution.kind === 'notFound') {
      writeProblem(response, 'route_not_found');
      return finish();
    }
    if (resolution.kind === 'methodNotAllowed') {
      writeProblem(response, 'method_not_allowed', { Allow: resolution.allow.join(', ') });
      return finish();
    }
    const { definition, params } = resolution;
    name = definition.name;

    let request;
    try {
      request = toHttpRequest({ incoming, fallbackOrigin: origin, params });
    } catch {
      // An unparseable header or target: the real front end would refuse it too.
      writeProblem(response, 'bad_request');
      return finish();
    }
    const context = newInvocationContext({
      functionName: definition.name,
      trigger: { type: 'httpTrigger', name: 'request', route: definition.route, methods: definition.methods, authLevel: 'anonymous' },
      log: init.log,
    });
    const result = await definition.handler(request, context, init.services);
    // The handler gave up on the body half-way (a 413): the rest can no longer be read off this
    // connection, so it cannot carry another request. Say so, as a front end would.
    if (!incoming.complete && incoming.destroyed) response.setHeader('Connection', 'close');
    try {
      await writeHttpResponse({ result, response, method });
      finish(response.writableFinished ? '' : ' (client gone)');
    } catch (error) {
      if (!response.headersSent) {
        writeProblem(response, 'internal');
        return finish(' (unusable response)');
      }
      finish(` (body stream failed: ${error instanceof Error ? error.constructor.name : typeof error})`);
    } finally {
      discardUnreadBody(incoming);
    }
  };

  const server = http.createServer((incoming, response) => {
    serve(incoming, response).catch((error: unknown) => {
      init.log.write('error', `local host failed on a request: ${error instanceof Error ? error.constructor.name : typeof error}`);
      if (!response.headersSent) writeProblem(response, 'internal');
      else response.destroy();
    });
  });

  const listening = await listen(server, host, init.port ?? 0);
  origin = listening.url;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // Long responses (a streamed download) would hold close() open; give them a moment.
      const cut = setTimeout(() => server.closeAllConnections(), init.stopGraceMs ?? 2000);
      cut.unref();
    }));

  return { url: origin, port: listening.port, stop };
}

/**
 * A handler that answered without reading the whole body (a 401 or 413 before the upload
 * ended) leaves the rest in the socket, and the next request on that keep-alive connection
 * waits behind it until the connection times out. Node discards an unread body itself, but
 * not once `Readable.toWeb` has taken the stream: do what Node's own `_dump` does.
 */
function discardUnreadBody(incoming: IncomingMessage): void {
  if (incoming.complete || incoming.destroyed) return;
  incoming.removeAllListeners('data');
  incoming.resume();
}

function writeProblem(response: ServerResponse, code: ErrorCode, headers: Record<string, string> = {}): void {
  const problem = toProblemResponse(new AppError({ code, headers }));
  response.writeHead(problem.status, { ...problem.headers, 'Content-Length': Buffer.byteLength(problem.body) });
  response.end(problem.body);
}
