import type { CorsPolicy } from '../platform/http/cors';
import { RETURNED_RESPONSE_HEADERS } from './toClientHeaders';
import { FORWARDED_REQUEST_HEADERS } from './toUpstreamHeaders';

/**
 * CORS of the proxy: a page may send what is forwarded to Jira (Content-Length is the
 * browser's, never the page's) and read what comes back, Jira's rate-limit signals included.
 */
export const proxyCorsPolicy: CorsPolicy = {
  allowHeaders: ['authorization', ...FORWARDED_REQUEST_HEADERS.filter((name) => name !== 'content-length')],
  exposeHeaders: [
    ...RETURNED_RESPONSE_HEADERS,
    'x-ratelimit-limit',
    'x-ratelimit-remaining',
    'x-ratelimit-interval-seconds',
    'x-ratelimit-fillrate',
  ],
};
