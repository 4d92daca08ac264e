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
/** Cache-Control directives that let a shared cache store an answer to an authorized request. */
const SHAREABLE = new Set(['public', 's-maxage', 'must-revalidate']);
/** Those that speak to shared caches only, or say the answer is shareable. */
const SHARED_ONLY = new Set(['public', 's-maxage', 'proxy-revalidate']);

/**
 * The headers returned to the add-in: the allow-list, `X-RateLimit-*`, minus any the upstream
 * names in its `Connection` header. Set-Cookie, WWW-Authenticate, Location and server
 * banners stay behind. Proxied content is served from our origin, so it is never sniffed
 * and never allowed to run script (an HTML attachment would otherwise be our page).
 * Every answer is one user's view of Jira under a URL every user shares: it is private to
 * shared caches (see `toPrivateCacheControl`) and varies by `Authorization`.
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
    out[lower] = lower === 'cache-control' ? toPrivateCacheControl(text) : text;
  }
  out.vary = 'Authorization';
  out['x-content-type-options'] = 'nosniff';
  out['content-security-policy'] = "default-src 'none'; sandbox";
  return out;
}

/**
 * A shared cache may store an answer to a request with `Authorization` only when the answer
 * says `public`, `s-maxage` or `must-revalidate` (RFC 9111 §3.5). Such an answer becomes
 * `private`: `public` and the shared-cache-only `s-maxage` and `proxy-revalidate` go,
 * `max-age`, `must-revalidate` and the rest stay, so the user's own browser still caches as
 * long as Jira allows.
 */
function toPrivateCacheControl(value: string): string {
  const directives = value
    .split(',')
    .map((directive) => directive.trim())
    .filter((directive) => directive !== '');
  const names = directives.map((directive) => (directive.split('=', 1)[0] ?? '').trim().toLowerCase());
  if (!names.some((name) => SHAREABLE.has(name))) return directives.join(', ');
  const kept = directives.filter((_directive, index) => !SHARED_ONLY.has(names[index] ?? ''));
  const isPrivate = names.includes('private') || names.includes('no-store');
  return (isPrivate ? kept : ['private', ...kept]).join(', ');
}
