import { FORWARDED_REQUEST_HEADERS } from './toUpstreamHeaders';
import { RETURNED_RESPONSE_HEADERS } from './toClientHeaders';

const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE';
const ALLOWED_HEADERS = ['authorization', ...FORWARDED_REQUEST_HEADERS.filter((name) => name !== 'content-length')].join(', ');
const EXPOSED_HEADERS = [...RETURNED_RESPONSE_HEADERS, 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-interval-seconds', 'x-ratelimit-fillrate'].join(', ');

/**
 * CORS for the add-in's origins (ALLOWED_ORIGINS, exact match). The add-in authenticates
 * with a bearer header, not cookies, so credentials are never allowed. An origin not on
 * the list gets no CORS headers at all and the browser keeps the answer from it.
 */
export function corsHeaders(origin: string | null, allowedOrigins: readonly string[]): Record<string, string> {
  if (!origin || !allowedOrigins.includes(origin)) return { vary: 'Origin' };
  return { 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSED_HEADERS, vary: 'Origin' };
}

/** The answer to a preflight (`OPTIONS` with `Access-Control-Request-Method`). */
export function preflightHeaders(origin: string | null, allowedOrigins: readonly string[]): Record<string, string> {
  if (!origin || !allowedOrigins.includes(origin)) return { vary: 'Origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': ALLOWED_METHODS,
    'access-control-allow-headers': ALLOWED_HEADERS,
    'access-control-max-age': '600',
    vary: 'Origin',
  };
}
