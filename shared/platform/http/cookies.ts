/**
 * A cookie to set, in the shape the Functions worker takes as `HttpResponseInit.cookies`
 * (and the local host writes the same way): the worker serializes it into `Set-Cookie`.
 */
export interface ResponseCookie {
  name: string;
  value: string;
  path?: string;
  maxAge?: number;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None';
}

const MAX_COOKIE_HEADER = 8192;

/**
 * The value of one cookie in a `Cookie` request header (RFC 6265 §5.4: `name=value` pairs
 * joined by `; `), or undefined. A name sent twice (two paths) gives the first, as the
 * browser orders the longer path first. Values are taken as they are: ours are base64url.
 */
export function readCookie(header: string | null, name: string): string | undefined {
  if (header === null || header.length > MAX_COOKIE_HEADER) return undefined;
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals < 0) continue;
    if (part.slice(0, equals).trim() === name) return part.slice(equals + 1).trim();
  }
  return undefined;
}
