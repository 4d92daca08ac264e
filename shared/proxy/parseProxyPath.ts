import { AppError } from '../platform/errors/AppError';
import { toPathTemplate } from './toPathTemplate';

export interface ProxyPath {
  /** As received (percent-encoding kept), without a leading slash: appended to the instance's base URL. */
  path: string;
  /** For log lines: known resource names kept, every other segment `{}`. */
  template: string;
}

const MAX_PATH_LENGTH = 4096;
// Control characters (C0, DEL, C1), as raw text after decoding.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Encoded `/` `\` `;` and control bytes: each would let the path mean more than it shows.
const ENCODED_FORBIDDEN = /%(?:2f|5c|3b|[01][0-9a-f]|7f)/i;
const ALLOWED_ROOTS: readonly (readonly string[])[] = [['rest'], ['secure', 'attachment']];

/**
 * The path policy of the proxy. Only `rest/…` and `secure/attachment/…` under the
 * instance's base path; no `.`/`..` segment in any spelling (`%2e%2e`, `.%2E`), no encoded
 * `/` or `\` (Tomcat rejects `%2F` by default too, so nothing legitimate needs it), no `;`
 * (Tomcat reads `..;` as `..`), no backslash, no empty segment (`//host` would be an
 * absolute reference), no scheme, no control character. The path is kept as received so
 * that what is signed and what is sent are byte for byte the same.
 */
export function parseProxyPath(raw: string): ProxyPath {
  if (raw.length === 0 || raw.length > MAX_PATH_LENGTH) throw invalid('the path is empty or too long');
  if (CONTROL.test(raw) || raw.includes('\\') || raw.includes(';')) throw invalid('the path contains a forbidden character');
  if (ENCODED_FORBIDDEN.test(raw)) throw invalid('the path contains a forbidden escape');
  if (/^[a-z][a-z0-9+.-]*:/i.test(raw) || raw.startsWith('/')) throw invalid('the path is an absolute URL');
  const segments = raw.split('/');
  const decoded = segments.map(decodeSegment);
  if (!ALLOWED_ROOTS.some((root) => root.length < decoded.length && root.every((name, i) => decoded[i] === name))) {
    throw invalid('only rest/… and secure/attachment/… can be reached');
  }
  return { path: raw, template: toPathTemplate(decoded) };
}

/**
 * The same policy for a path the host has already decoded (a route parameter): no climbing
 * segment, backslash or control character in it, however it is spelled. A host that
 * decodes differently than the URL we forward must not open a way around the check.
 */
export function assertDecodedPathSafe(path: string): void {
  if (CONTROL.test(path) || path.includes('\\')) throw invalid('the path contains a forbidden character');
  for (const segment of path.split('/')) {
    // Without a `%` the decoded forms are the segment itself, and the whole path's test above covered it.
    if (!segment.includes('%')) {
      assertNotClimbing(segment);
      continue;
    }
    const once = lenientDecode(segment);
    const forms = once === segment ? [segment] : [segment, once, lenientDecode(once)];
    for (const form of forms) {
      if (CONTROL.test(form) || form.includes('\\')) throw invalid('the path climbs out of the instance');
      // A double-encoded slash (`..%252f..`) decodes into new segments: check each of them.
      for (const part of form.split('/')) assertNotClimbing(part);
    }
  }
}

/** `.` or `..`, also with a `;` path parameter after it (Tomcat reads `..;` as `..`). */
function assertNotClimbing(segment: string): void {
  const bare = segment.split(';')[0] ?? '';
  if (bare === '.' || bare === '..') throw invalid('the path climbs out of the instance');
}

function decodeSegment(segment: string): string {
  if (segment === '') throw invalid('the path has an empty segment');
  let text: string;
  try {
    text = decodeURIComponent(segment);
  } catch {
    throw invalid('the path has an invalid percent-encoding');
  }
  if (text === '.' || text === '..') throw invalid('the path climbs out of the instance');
  if (text.includes('/') || text.includes('\\') || CONTROL.test(text)) throw invalid('the path contains a forbidden character');
  return text;
}

function lenientDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function invalid(detail: string): AppError {
  return new AppError({ code: 'invalid_path', detail });
}
