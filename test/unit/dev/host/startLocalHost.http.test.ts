import { createHash } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { ReadableStream } from 'node:stream/web';
import { isListening } from '../../../../dev/azurite';
import { startLocalHost, type LocalHost } from '../../../../dev/host/startLocalHost';
import type { FunctionDefinition, HttpServiceHandler } from '../../../../functions/FunctionDefinition';
import { jsonResponse } from '../../../../functions/http/jsonResponse';
import type { Services } from '../../../../functions/Services';
import { memoryLog, testServices } from './localHostTestSupport';

const MIB = 1024 * 1024;
const SECRET = 'sk-secret-in-the-error-message';

/** Deterministic bytes, so client and server can hash the same stream without holding it. */
function chunkAt(index: number, size: number): Uint8Array {
  const chunk = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) chunk.writeUInt32LE((index * size + i) >>> 0, i);
  return chunk;
}

function sha256Of(totalBytes: number, chunkSize: number): string {
  const hash = createHash('sha256');
  for (let i = 0; i * chunkSize < totalBytes; i += 1) hash.update(chunkAt(i, chunkSize));
  return hash.digest('hex');
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Readable | string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.once('error', reject);
    });
    outgoing.once('error', reject);
    if (options.body instanceof Readable) options.body.pipe(outgoing);
    else outgoing.end(options.body);
  });
}

describe('local host: HTTP', () => {
  let host: LocalHost;
  let services: Services;
  const log = memoryLog();
  let cancelled: Promise<unknown>;
  let resolveCancelled: (reason: unknown) => void;

  const echo: HttpServiceHandler = async (request) =>
    jsonResponse(200, { params: request.params, query: Object.fromEntries(request.query), method: request.method, url: request.url });

  const hashBody: HttpServiceHandler = async (request) => {
    const hash = createHash('sha256');
    let bytes = 0;
    let chunks = 0;
    // Read as a stream: a handler that buffered would still pass, but the count of chunks shows it arrived in pieces.
    for await (const chunk of (request.body ?? []) as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      bytes += chunk.length;
      chunks += 1;
    }
    return jsonResponse(200, { bytes, chunks, sha256: hash.digest('hex') });
  };

  const firstChunk: HttpServiceHandler = async (request) => {
    const reader = (request.body as ReadableStream<Uint8Array>).getReader();
    const { value } = await reader.read();
    await reader.cancel();
    return jsonResponse(200, { first: Buffer.from(value ?? new Uint8Array()).toString('utf8') });
  };

  const download: HttpServiceHandler = async (request) => {
    const total = Number(request.query.get('mib')) * MIB;
    const chunkSize = 64 * 1024;
    let index = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (index * chunkSize >= total) return controller.close();
        controller.enqueue(chunkAt(index, chunkSize));
        index += 1;
      },
    });
    return { status: 200, headers: { 'Content-Type': 'application/octet-stream' }, body };
  };

  const endless: HttpServiceHandler = async () => {
    let index = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(chunkAt(index, 16 * 1024));
        index += 1;
      },
      cancel(reason) {
        resolveCancelled(reason);
      },
    });
    return { status: 200, body };
  };

  const brokenStream: HttpServiceHandler = async () => {
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent) {
          // The failure comes later, as from an upstream that dies mid-body.
          await new Promise<void>((resolve) => setTimeout(resolve, 100));
          controller.error(new Error(SECRET));
          return;
        }
        sent = true;
        controller.enqueue(Buffer.from('first part'));
      },
    });
    return { status: 200, body };
  };

  const functions: FunctionDefinition[] = [
    { kind: 'http', name: 'proxy', route: 'jira/{instanceId}/proxy/{*path}', methods: ['GET', 'POST', 'PUT'], handler: echo },
    { kind: 'http', name: 'instances', route: 'manage/instances/{instanceId?}', methods: ['GET', 'DELETE'], handler: echo },
    { kind: 'http', name: 'upload', route: 'upload', methods: ['POST'], handler: hashBody },
    { kind: 'http', name: 'firstChunk', route: 'first-chunk', methods: ['POST'], handler: firstChunk },
    { kind: 'http', name: 'download', route: 'download', methods: ['GET', 'HEAD'], handler: download },
    { kind: 'http', name: 'endless', route: 'endless', methods: ['GET'], handler: endless },
    { kind: 'http', name: 'broken', route: 'broken', methods: ['GET'], handler: brokenStream },
    {
      kind: 'http',
      name: 'throws',
      route: 'throws',
      methods: ['GET'],
      handler: async () => {
        throw new Error(SECRET);
      },
    },
    {
      kind: 'http',
      name: 'json',
      route: 'json',
      methods: ['GET'],
      handler: async () => ({
        status: 201,
        jsonBody: { ok: true },
        headers: { 'X-Extra': 'yes', Upgrade: 'h2c', 'Keep-Alive': 'timeout=999' },
      }),
    },
    {
      kind: 'http',
      name: 'cookies',
      route: 'cookies',
      methods: ['GET'],
      handler: async () => ({
        status: 204,
        headers: { 'Set-Cookie': 'own=1; Path=/' },
        cookies: [
          { name: 'bound', value: 'abc', path: '/api/cb', maxAge: 600, secure: true, httpOnly: true, sameSite: 'Lax' },
          { name: 'gone', value: '', path: '/api/cb', maxAge: 0 },
        ],
      }),
    },
  ];

  beforeAll(async () => {
    cancelled = new Promise((resolve) => (resolveCancelled = resolve));
    services = testServices();
    host = await startLocalHost({ functions, services, port: 0, log });
  });

  afterAll(async () => {
    await host.stop();
    await services.http.close();
  });

  it('routes a catch-all with the raw rest of the path and decoded route params', async () => {
    const response = await request(`${host.url}/api/jira/d%C3%A9mo/proxy/rest/api/2/search%2Fx%20y?jql=project%3DDEMO&a=1&a=2`);
    expect(response.status).toBe(200);
    const body = JSON.parse(response.body.toString()) as { params: unknown; query: unknown; method: string; url: string };
    expect(body.params).toEqual({ instanceId: 'démo', path: 'rest/api/2/search%2Fx%20y' });
    expect(body.method).toBe('GET');
    expect(body.url).toBe(`${host.url}/api/jira/d%C3%A9mo/proxy/rest/api/2/search%2Fx%20y?jql=project%3DDEMO&a=1&a=2`);
  });

  it('routes an optional parameter with and without its segment', async () => {
    const without = JSON.parse((await request(`${host.url}/api/manage/instances`)).body.toString()) as { params: unknown };
    expect(without.params).toEqual({});
    const withIt = JSON.parse((await request(`${host.url}/api/manage/instances/demo`, { method: 'DELETE' })).body.toString()) as {
      params: unknown;
    };
    expect(withIt.params).toEqual({ instanceId: 'demo' });
  });

  it('answers problem+json 404 for no route and 405 with Allow for a wrong method', async () => {
    const missing = await request(`${host.url}/api/nowhere`);
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(missing.body.toString())).toMatchObject({ status: 404, code: 'route_not_found' });

    const noPrefix = await request(`${host.url}/upload`, { method: 'POST' });
    expect(noPrefix.status).toBe(404);

    const wrong = await request(`${host.url}/api/manage/instances/demo`, { method: 'PUT' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('DELETE, GET');
    expect(JSON.parse(wrong.body.toString())).toMatchObject({ status: 405, code: 'method_not_allowed' });
  });

  it('turns a throwing handler into 500 problem+json without the error message', async () => {
    const response = await request(`${host.url}/api/throws`);
    expect(response.status).toBe(500);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(response.body.toString())).toMatchObject({ status: 500, code: 'internal' });
    expect(response.body.toString()).not.toContain(SECRET);
    expect(log.lines.map((l) => l.line).join('\n')).not.toContain(SECRET);
  });

  it('writes jsonBody and headers as the worker does, minus hop-by-hop headers', async () => {
    const response = await request(`${host.url}/api/json`);
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['x-extra']).toBe('yes');
    expect(response.headers.upgrade).toBeUndefined();
    expect(response.headers['keep-alive']).not.toBe('timeout=999');
    expect(JSON.parse(response.body.toString())).toEqual({ ok: true });
  });

  it('writes the cookies of a response as Set-Cookie headers, after any the handler set itself', async () => {
    const response = await request(`${host.url}/api/cookies`);
    expect(response.status).toBe(204);
    const lines = response.headers['set-cookie'] ?? [];
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('own=1; Path=/');
    expect(lines[1]?.split('; ').sort()).toEqual(['HttpOnly', 'Max-Age=600', 'Path=/api/cb', 'SameSite=Lax', 'Secure', 'bound=abc']);
    expect(lines[2]?.split('; ').sort()).toEqual(['Max-Age=0', 'Path=/api/cb', 'gone=']);
  });

  it('streams a 20 MiB request body to the handler', async () => {
    const total = 20 * MIB;
    const chunkSize = 256 * 1024;
    let index = 0;
    const body = new Readable({
      read() {
        if (index * chunkSize >= total) this.push(null);
        else this.push(chunkAt(index++, chunkSize));
      },
    });
    const response = await request(`${host.url}/api/upload`, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expect(response.status).toBe(200);
    const result = JSON.parse(response.body.toString()) as { bytes: number; chunks: number; sha256: string };
    expect(result.bytes).toBe(total);
    expect(result.sha256).toBe(sha256Of(total, chunkSize));
    expect(result.chunks).toBeGreaterThan(1);
  });

  it('hands the handler the first bytes while the client has not sent the rest', async () => {
    // A host that buffered the body would wait for the end the client only sends after the answer.
    const answer = await new Promise<string>((resolve, reject) => {
      const outgoing = http.request(
        `${host.url}/api/first-chunk`,
        { method: 'POST', agent: false, headers: { 'Transfer-Encoding': 'chunked' } },
        (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.once('end', () => {
            outgoing.end();
            resolve(body);
          });
        },
      );
      outgoing.once('error', reject);
      outgoing.write('hello');
      outgoing.flushHeaders();
    });
    expect(JSON.parse(answer)).toEqual({ first: 'hello' });
  });

  it('streams a 20 MiB response generated on the fly', async () => {
    const response = await request(`${host.url}/api/download?mib=20`);
    expect(response.status).toBe(200);
    expect(response.headers['transfer-encoding']).toBe('chunked');
    expect(response.body.length).toBe(20 * MIB);
    expect(createHash('sha256').update(response.body).digest('hex')).toBe(sha256Of(20 * MIB, 64 * 1024));
  });

  it('answers HEAD with headers only', async () => {
    const response = await request(`${host.url}/api/download?mib=1`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/octet-stream');
    expect(response.body.length).toBe(0);
  });

  it('cancels the response stream when the client goes away', async () => {
    await new Promise<void>((resolve, reject) => {
      const outgoing = http.get(`${host.url}/api/endless`, { agent: false }, (response) => {
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > 256 * 1024) {
            outgoing.destroy();
            resolve();
          }
        });
      });
      outgoing.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
    });
    await expect(cancelled).resolves.toBeDefined();
  });

  it('destroys the connection when the body stream fails, rather than hanging', async () => {
    const outcome = await new Promise<{ status: number; error: string | undefined; body: string }>((resolve) => {
      http
        .get(`${host.url}/api/broken`, { agent: false }, (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.once('error', (error: NodeJS.ErrnoException) =>
            resolve({ status: response.statusCode ?? 0, error: error.code ?? error.message, body }),
          );
          response.once('end', () => resolve({ status: response.statusCode ?? 0, error: undefined, body }));
        })
        .once('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, error: error.code ?? error.message, body: '' }));
    });
    // Either way the client sees a broken response, never a clean end.
    expect(outcome.error).toBeDefined();
    expect(outcome.body).toBe(outcome.status === 200 ? 'first part' : '');
    expect(log.lines.map((l) => l.line).join('\n')).not.toContain(SECRET);
  });

  it('logs method, function, status and time, never the query string', async () => {
    await request(`${host.url}/api/jira/demo/proxy/x?token=query-secret`, { headers: { Authorization: 'Bearer header-secret' } });
    const text = log.lines.map((l) => l.line).join('\n');
    expect(text).toMatch(/GET proxy 200 \d+ms/);
    expect(text).not.toContain('query-secret');
    expect(text).not.toContain('header-secret');
  });

  it('stop() closes the server and its keep-alive connections', async () => {
    const own = await startLocalHost({ functions, services, port: 0, log: memoryLog() });
    const agent = new http.Agent({ keepAlive: true });
    const sockets: import('node:net').Socket[] = [];
    await new Promise<void>((resolve, reject) => {
      const outgoing = http.get(`${own.url}/api/manage/instances`, { agent }, (response) => {
        response.resume();
        response.once('end', resolve);
      });
      outgoing.once('socket', (socket) => sockets.push(socket));
      outgoing.once('error', reject);
    });
    const socketClosed = new Promise<void>((resolve) => sockets[0]!.once('close', () => resolve()));
    await own.stop();
    await socketClosed;
    expect(await isListening('127.0.0.1', own.port)).toBe(false);
    agent.destroy();
  });
});
