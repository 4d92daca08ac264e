import { AppError } from '../platform/errors/AppError';

/** Request headers that describe the content or make a request conditional; nothing that identifies the caller. */
export const FORWARDED_REQUEST_HEADERS: readonly string[] = [
  'accept',
  'accept-language',
  'content-type',
  'content-length',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'if-range',
  'range',
  'x-atlassian-token',
];
const FORWARDED = new Set(FORWARDED_REQUEST_HEADERS);
const UNSAFE_VALUE = /[\r\n\0]/;

/**
 * The headers sent to Jira: only the allow-list above, never Cookie, Authorization, Host,
 * X-Forwarded-*, hop-by-hop headers or a header the client names in `Connection` (RFC 9110
 * §7.6.1: those are meant for the next hop only, which is us). A value with CR, LF or NUL
 * is refused outright instead of being cleaned: it can only be an attempt to smuggle.
 */
export function toUpstreamHeaders(entries: readonly (readonly [string, string])[]): Record<string, string> {
  const connectionNamed = new Set<string>();
  for (const [name, value] of entries) {
    if (UNSAFE_VALUE.test(value) || UNSAFE_VALUE.test(name))
      throw new AppError({ code: 'invalid_header', detail: 'a header contains a line break or NUL' });
    if (name.toLowerCase() === 'connection') for (const token of value.split(',')) connectionNamed.add(token.trim().toLowerCase());
  }
  const out: Record<string, string> = {};
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    if (!FORWARDED.has(lower) || connectionNamed.has(lower)) continue;
    out[lower] = lower in out ? `${out[lower]}, ${value}` : value;
  }
  return out;
}
