import type { ServerResponse } from 'node:http';
import type { ReadableStream } from 'node:stream/web';
import { HttpResponse, type HttpResponseInit } from '@azure/functions';
import { Headers, setCookie } from 'undici';

/** Hop-by-hop headers the worker's HTTP proxy drops from a function's response too. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
]);

export interface WriteHttpResponseInit {
  result: HttpResponseInit | HttpResponse;
  response: ServerResponse;
  /** HEAD answers carry the headers only. */
  method: string;
}

/**
 * Writes a handler's result as the worker does: through `HttpResponse` (so `jsonBody`,
 * strings, buffers, async iterables and web streams mean what they mean in Azure), then
 * the body piped with backpressure, never buffered. A client that goes away cancels the
 * body stream; a body stream that fails destroys the socket, so the client sees a broken
 * response instead of waiting for one that never ends. Resolves when the response is done.
 * `cookies` become `Set-Cookie` headers after any the handler set itself, as the worker's
 * HTTP stream proxy does (`setCookies` in @azure/functions).
 */
export async function writeHttpResponse({ result, response, method }: WriteHttpResponseInit): Promise<void> {
  const native = result instanceof HttpResponse ? result : new HttpResponse(result);
  const connectionHeader = native.headers.get('connection');
  const connection = connectionHeader === null ? [] : connectionHeader.split(',').map((s) => s.trim().toLowerCase());
  response.statusCode = native.status;
  native.headers.forEach((value, name) => {
    if (name !== 'set-cookie' && !HOP_BY_HOP.has(name) && !connection.includes(name)) response.setHeader(name, value);
  });
  const setCookies = native.headers.getSetCookie();
  if (native.cookies.length > 0) {
    const cookieHeaders = new Headers();
    for (const cookie of native.cookies) setCookie(cookieHeaders, cookie);
    setCookies.push(...cookieHeaders.getSetCookie());
  }
  if (setCookies.length > 0) response.setHeader('set-cookie', setCookies);

  const body: ReadableStream<unknown> | null = native.body;
  if (!body || method === 'HEAD') {
    if (body) await body.cancel().catch(() => undefined);
    await endResponse(response);
    return;
  }
  await pipeBody(body, response);
}

async function pipeBody(body: ReadableStream<unknown>, response: ServerResponse): Promise<void> {
  const reader = body.getReader();
  const onClose = () => {
    // Closed before the last byte: the client went away. Stop producing the body.
    if (!response.writableFinished) reader.cancel(new Error('client closed the connection')).catch(() => undefined);
  };
  response.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (response.destroyed) return;
      if (!(value instanceof Uint8Array)) throw new TypeError('a response body chunk is not bytes');
      if (!response.write(value)) await drained(response);
    }
    if (!response.destroyed) await endResponse(response);
  } catch (error) {
    // Headers are out; the only honest signal left is a broken connection.
    response.destroy(error instanceof Error ? error : new Error('response body failed'));
    reader.cancel(error).catch(() => undefined);
    throw error;
  } finally {
    response.off('close', onClose);
  }
}

function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}

/** Resolves on `close` too: a response whose socket dies never emits `finish`. */
function endResponse(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    response.once('close', () => resolve());
    response.end(() => resolve());
  });
}
