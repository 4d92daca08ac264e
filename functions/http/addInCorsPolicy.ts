import type { CorsPolicy } from '../../shared/platform/http/cors';

/**
 * CORS of the app's own endpoints the add-in calls from its pages (links, the OAuth start,
 * the license check): a bearer header and a JSON body in, `Retry-After` readable on a 429 or
 * 503 (what else they answer is safelisted already).
 */
export const addInCorsPolicy: CorsPolicy = {
  allowHeaders: ['authorization', 'content-type'],
  exposeHeaders: ['retry-after'],
};
