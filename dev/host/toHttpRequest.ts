import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { HttpRequest, type HttpRequestInit } from '@azure/functions';

/**
 * `HttpRequest` accepts a WHATWG `Request` as `nativeRequest` (undocumented, but it is how
 * the library itself builds streamed requests in `createStreamRequest`). Typed here so the
 * local host passes a streaming request without a cast to `any`.
 */
interface NativeHttpRequestInit extends HttpRequestInit {
  nativeRequest?: Request;
}

/** `duplex: 'half'` is required by undici for a streamed body but missing from the DOM types. */
interface StreamingRequestInit extends RequestInit {
  duplex?: 'half';
}

export interface ToHttpRequestInit {
  incoming: IncomingMessage;
  /** `http://host:port`: used when the Host header is missing or not a plain host. */
  fallbackOrigin: string;
  params: Record<string, string>;
}

const PLAIN_HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

/**
 * The same `HttpRequest` the worker hands a function with `enableHttpStream`: a native
 * `Request` whose body is the socket itself, read as the handler reads it, never buffered.
 */
export function toHttpRequest({ incoming, fallbackOrigin, params }: ToHttpRequestInit): HttpRequest {
  const method = (incoming.method ?? 'GET').toUpperCase();
  const host = incoming.headers.host;
  const origin = host !== undefined && PLAIN_HOST.test(host) ? `http://${host}` : fallbackOrigin;
  // Pairs, not a `Headers`: the `Request` copies (and validates) what it is given, so a
  // `Headers` built here first was a second copy of every header on every request.
  const headers: [string, string][] = [];
  const raw = incoming.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i]!, raw[i + 1]!]);

  const init: StreamingRequestInit = { method, headers };
  if (method !== 'GET' && method !== 'HEAD') {
    // Node's web stream type and the DOM one are the same object at runtime.
    init.body = Readable.toWeb(incoming) as unknown as ReadableStream<Uint8Array>;
    init.duplex = 'half';
  }
  const requestInit: NativeHttpRequestInit = { nativeRequest: new Request(`${origin}${incoming.url ?? '/'}`, init), params };
  return new HttpRequest(requestInit);
}
