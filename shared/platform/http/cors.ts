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
 */
export function withCorsHeaders(headers: HeadersInit | undefined, cors: Readonly<Record<string, string>>): Headers {
  const merged = new Headers(headers);
  for (const [name, value] of Object.entries(cors)) {
    if (name.toLowerCase() !== 'vary') {
      merged.set(name, value);
      continue;
    }
    const present = (merged.get('vary') ?? '').split(',').map((token) => token.trim().toLowerCase());
    if (!present.includes(value.toLowerCase()) && !present.includes('*')) merged.append('vary', value);
  }
  return merged;
}

function isAllowed(origin: string | null, allowedOrigins: readonly string[]): origin is string {
  return origin !== null && origin !== '' && allowedOrigins.includes(origin);
}
