/**
 * What a route lets a page of another origin do. The allowed origins are not part of it:
 * they are a setting (ALLOWED_ORIGINS), the same for every route.
 */
export interface CorsPolicy {
  /** Request headers beyond the CORS-safelisted ones a page may send (`Access-Control-Allow-Headers`). */
  allowHeaders: readonly string[];
  /** Response headers beyond the safelisted ones a page may read (`Access-Control-Expose-Headers`). */
  exposeHeaders: readonly string[];
  /** How long a browser may reuse a preflight's answer; 600 s unless told. */
  maxAgeSeconds?: number;
}

const DEFAULT_MAX_AGE_SECONDS = 600;

/**
 * The CORS headers of an answer. Origins match exactly; callers authenticate with a bearer
 * header, not cookies, so credentials are never allowed. An origin not on the list gets no
 * CORS headers at all and the browser keeps the answer from it. `Vary: Origin` either way,
 * so a cache never hands one origin's answer to another.
 */
export function corsHeaders(policy: CorsPolicy, origin: string | null, allowedOrigins: readonly string[]): Record<string, string> {
  if (!isAllowed(origin, allowedOrigins)) return { vary: 'Origin' };
  const headers: Record<string, string> = { 'access-control-allow-origin': origin, vary: 'Origin' };
  if (policy.exposeHeaders.length > 0) headers['access-control-expose-headers'] = policy.exposeHeaders.join(', ');
  return headers;
}

/** The answer to a preflight (`OPTIONS` with `Access-Control-Request-Method`) for a route serving `methods`. */
export function preflightHeaders(
  policy: CorsPolicy,
  methods: readonly string[],
  origin: string | null,
  allowedOrigins: readonly string[],
): Record<string, string> {
  if (!isAllowed(origin, allowedOrigins)) return { vary: 'Origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': methods.join(', '),
    'access-control-allow-headers': policy.allowHeaders.join(', '),
    'access-control-max-age': String(policy.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS),
    vary: 'Origin',
  };
}

/**
 * `headers` (a `Headers` object, a record or pairs, as a handler may answer them) with the
 * CORS headers set over them. `Vary` is added to, not replaced: the answer may already vary
 * on something else (`Authorization`), and dropping that would let a cache mix users.
 * A record (what handlers answer) gives a record with lower-case names: building a
 * `Headers` here and another one in the worker's `Response` cost every proxied request.
 */
export function withCorsHeaders(
  headers: HeadersInit | undefined,
  cors: Readonly<Record<string, string>>,
): Headers | Record<string, string> {
  if (headers instanceof Headers || Array.isArray(headers)) return withCorsOnHeaders(new Headers(headers), cors);
  const merged: Record<string, string> = {};
  // `for…in` over own records, not `Object.entries`: no pair arrays on every answer (a third
  // of this function's cost on a cached license check). The records are plain object literals.
  // Names that differ only in case are one header, their values listed, as `Headers` does.
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    const value = headers[name]!;
    const lower = name.toLowerCase();
    const present = merged[lower];
    merged[lower] = present === undefined ? value : `${present}, ${value}`;
  }
  for (const name in cors) {
    if (!Object.hasOwn(cors, name)) continue;
    const value = cors[name]!;
    const lower = name.toLowerCase();
    merged[lower] = lower === 'vary' ? addedToVary(merged.vary, value) : value;
  }
  return merged;
}

function withCorsOnHeaders(merged: Headers, cors: Readonly<Record<string, string>>): Headers {
  for (const [name, value] of Object.entries(cors)) {
    if (name.toLowerCase() === 'vary') merged.set('vary', addedToVary(merged.get('vary') ?? undefined, value));
    else merged.set(name, value);
  }
  return merged;
}

function addedToVary(present: string | undefined, value: string): string {
  if (present === undefined || present === '') return value;
  const tokens = present.split(',').map((token) => token.trim().toLowerCase());
  return tokens.includes(value.toLowerCase()) || tokens.includes('*') ? present : `${present}, ${value}`;
}

function isAllowed(origin: string | null, allowedOrigins: readonly string[]): origin is string {
  return origin !== null && origin !== '' && allowedOrigins.includes(origin);
}
