import { createHash } from 'node:crypto';

/** The query parameter that carries the token; it cannot sign itself, so it is left out. */
export const JWT_QUERY_PARAMETER = 'jwt';

export interface RequestTarget {
  method: string;
  /** The URL path as requested, still percent-encoded (`URL.pathname`). */
  path: string;
  query: URLSearchParams;
}

/**
 * The canonical request of Atlassian Connect's query string hash (`qsh`): upper-case method,
 * the path (starting with `/`, one trailing `/` removed unless it is `/`, `&` written `%26`),
 * and the query without `jwt`, parameters sorted by encoded name, a repeated parameter's
 * values sorted and joined by `,`, everything percent-encoded as RFC 3986 unreserved
 * characters — joined by `&`.
 * A Jira app that already signs Connect-style requests can sign ours the same way.
 */
export function canonicalRequest(target: RequestTarget): string {
  return [target.method.toUpperCase(), canonicalPath(target.path), canonicalQuery(target.query)].join('&');
}

/** SHA-256 (hex) of the canonical request: the `qsh` claim that binds a token to one URL. */
export function queryStringHash(target: RequestTarget): string {
  return createHash('sha256').update(canonicalRequest(target)).digest('hex');
}

/**
 * As Atlassian's reference libraries (atlassian-jwt for Node.js and Java) write it: a leading
 * `/` added when missing, then ONE trailing `/` removed (`/a//` is `/a/`), never the root's.
 */
function canonicalPath(path: string): string {
  const rooted = path.startsWith('/') ? path : `/${path}`;
  const trimmed = rooted.length > 1 && rooted.endsWith('/') ? rooted.slice(0, -1) : rooted;
  return trimmed.replaceAll('&', '%26');
}

function canonicalQuery(query: URLSearchParams): string {
  const values = new Map<string, string[]>();
  for (const [name, value] of query) {
    if (name === JWT_QUERY_PARAMETER) continue;
    const key = encodeRfc3986(name);
    const list = values.get(key) ?? [];
    list.push(encodeRfc3986(value));
    values.set(key, list);
  }
  // sort() without a comparator orders by UTF-16 code units; the names and values are
  // percent-encoded ASCII by now, where that is Connect's byte order.
  return [...values.keys()]
    .sort()
    .map((key) => `${key}=${values.get(key)!.sort().join(',')}`)
    .join('&');
}

/** `encodeURIComponent` leaves `!'()*` alone; RFC 3986 (and Connect) encode them. */
function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}
