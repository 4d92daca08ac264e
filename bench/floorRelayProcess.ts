import http from 'node:http';
import { request } from 'undici';
import { z } from 'zod';
import { floorAgent } from './floorAgent';

/*
 * The Node relay floor, forked by `floorRelay.ts`: the least any Node relay of the proxy's
 * requests can do — node:http in, the app's own undici pool and `request` out, keep-alive
 * both ways, bodies piped both ways — and nothing else (no Functions host, no bearer token
 * check, no signature, no path checks, no web streams, no counting, no header policy beyond
 * what a relay must not forward). Its CPU per request, throughput and RSS growth are what the
 * proxy pays before any work of its own, on this machine, in the same run (the proxy and the
 * proxy-stream benchmarks).
 */

const startSchema = z.object({ upstream: z.string().url() });

/** What the simulated Jira needs of a relayed request; everything else stays behind. */
const REQUEST_HEADERS = ['authorization', 'accept', 'content-type', 'content-length', 'x-atlassian-token'] as const;
/** The answer headers a relay must drop (RFC 9110 §7.6.1); the rest go back as they came. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

function start(upstream: string): void {
  const agent = floorAgent();
  const server = http.createServer((incoming, outgoing) => {
    const headers: Record<string, string> = {};
    for (const name of REQUEST_HEADERS) {
      const value = incoming.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const method = incoming.method === 'POST' ? 'POST' : 'GET';
    request(`${upstream}${incoming.url ?? '/'}`, { dispatcher: agent, method, headers, body: method === 'POST' ? incoming : null }).then(
      (answer) => {
        for (const [name, value] of Object.entries(answer.headers))
          if (value !== undefined && !HOP_BY_HOP.has(name)) outgoing.setHeader(name, value);
        outgoing.statusCode = answer.statusCode;
        // `pipe`, the lightest streamed relay Node has (no `pipeline` bookkeeping): the floor must not cost more than it must.
        answer.body.once('error', () => outgoing.destroy()).pipe(outgoing);
      },
      () => {
        outgoing.statusCode = 502;
        outgoing.end();
      },
    );
    if (method === 'GET') incoming.resume();
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    process.send!({ type: 'ready', url: `http://127.0.0.1:${port}`, pid: process.pid });
  });
}

if (process.send) {
  process.once('message', (message: unknown) => {
    const parsed = startSchema.safeParse(message);
    if (!parsed.success) process.exit(1);
    else start(parsed.data.upstream);
  });
  process.once('disconnect', () => process.exit(0));
}
