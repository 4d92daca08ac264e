/** Response headers Jira may pass back: content description, caching, and Jira's rate-limit signals. */
export const RETURNED_RESPONSE_HEADERS: readonly string[] = [
  'content-type',
  'content-length',
  'content-disposition',
  'content-range',
  'accept-ranges',
  'etag',
  'last-modified',
  'cache-control',
  'retry-after',
  'x-arequestid',
];
const RETURNED = new Set(RETURNED_RESPONSE_HEADERS);
const RATE_LIMIT = /^x-ratelimit-[a-z-]+$/;

/**
 * The headers returned to the add-in: the allow-list, `X-RateLimit-*`, minus any the upstream
 * names in its `Connection` header. Set-Cookie, WWW-Authenticate, Location and server
 * banners stay behind. Proxied content is served from our origin, so it is never sniffed
 * and never allowed to run script (an HTML attachment would otherwise be our page).
 */
export function toClientHeaders(upstream: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const connection = upstream.connection;
  const connectionNamed = new Set(
    (Array.isArray(connection) ? connection.join(',') : (connection ?? ''))
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token !== ''),
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(upstream)) {
    const lower = name.toLowerCase();
    if (value === undefined || connectionNamed.has(lower)) continue;
    if (!RETURNED.has(lower) && !RATE_LIMIT.test(lower)) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (/[\r\n\0]/.test(text)) continue;
    out[lower] = text;
  }
  out['x-content-type-options'] = 'nosniff';
  out['content-security-policy'] = "default-src 'none'; sandbox";
  return out;
}
