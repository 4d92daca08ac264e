import type { HttpResponseInit } from '@azure/functions';

/**
 * A JSON answer. Its length is known, so it goes out with `Content-Length`: without it the
 * worker's response is chunked and Node writes it in two syscalls (the headers and body,
 * then the last chunk), which was the largest part of a cached license check beyond an
 * empty answer (docs/performance.md).
 */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  const json = JSON.stringify(body);
  return {
    status,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...headers,
      'Content-Length': String(Buffer.byteLength(json)),
    },
    body: json,
  };
}
