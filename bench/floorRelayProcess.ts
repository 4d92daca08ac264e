import { createServer, type IncomingHttpHeaders } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Agent, request } from 'undici';
import { z } from 'zod';

/*
 * The proof row's relay (`bench/startFloorRelay.ts`): the least a Node process can do to
 * relay a body between two HTTP connections — node:http in, undici out (the proxy's own
 * client), the undici body piped to the response and the request piped to undici. No
 * Functions host, no web streams, no signature, no counting: what a Node relay on this
 * machine reaches at best, in a process of its own like the app, so its RSS is its own.
 */

const startSchema = z.object({ type: z.literal('start'), target: z.string().url() });

/** What the simulated Jira needs of a relayed request and answer; everything else stays behind. */
const REQUEST_HEADERS = ['authorization', 'content-type', 'content-length', 'x-atlassian-token'] as const;
const RESPONSE_HEADERS = ['content-type', 'content-length', 'content-disposition'] as const;

function pick(
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
  names: readonly string[],
): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (typeof value === 'string') picked[name] = value;
  }
  return picked;
}

function start(target: string): void {
  const agent = new Agent({ connections: 8 });
  const server = createServer((incoming, response) => {
    const method = incoming.method === 'POST' ? 'POST' : 'GET';
    request(new URL(incoming.url ?? '/', target), {
      dispatcher: agent,
      method,
      headers: pick(incoming.headers, REQUEST_HEADERS),
      body: method === 'POST' ? incoming : null,
    })
      .then(async (upstream) => {
        response.writeHead(upstream.statusCode, pick(upstream.headers, RESPONSE_HEADERS));
        await pipeline(upstream.body, response);
      })
      .catch(() => response.destroy());
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}`, pid: process.pid });
  });
  process.on('disconnect', () => process.exit(0));
}

process.once('message', (message: unknown) => {
  const command = startSchema.safeParse(message);
  if (command.success) start(command.data.target);
  else process.exit(2);
});
