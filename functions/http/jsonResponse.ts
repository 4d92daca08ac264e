import type { HttpResponseInit } from '@azure/functions';
import { SerializedJson } from './SerializedJson';

/**
 * A JSON answer. Its length is known, so it goes out with `Content-Length`: without it the
 * worker's response is chunked and Node writes it in two syscalls (the headers and body,
 * then the last chunk), which was the largest part of a cached license check beyond an
 * empty answer (docs/performance.md). A body serialized before (`SerializedJson.once`) is
 * sent as it is.
 */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  const json = body instanceof SerializedJson ? body : SerializedJson.of(body);
  return {
    status,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...headers,
      'Content-Length': json.contentLength,
    },
    body: json.text,
  };
}
