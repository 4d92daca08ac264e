/**
 * The verifying side of OAuth 1.0a (RFC 5849), written from the RFC and independent of the
 * `oauth-1.0a` package the app signs with, so that a signing bug cannot hide behind the
 * same bug here.
 */

export type Pair = [name: string, value: string];

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/** §3.6: every byte of the UTF-8 form except unreserved characters becomes `%XX`, upper-case hex. */
export function percentEncode(text: string): string {
  let out = '';
  for (const char of text) {
    if (UNRESERVED.test(char)) {
      out += char;
      continue;
    }
    for (const byte of new TextEncoder().encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `%XX` to bytes, then UTF-8; `+` stays a plus unless `plusIsSpace` (form encoding). Undefined when malformed. */
export function percentDecode(text: string, plusIsSpace: boolean): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] ?? '';
    if (char === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (char === '+' && plusIsSpace) {
      bytes.push(0x20);
    } else {
      for (const byte of new TextEncoder().encode(char)) bytes.push(byte);
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

/** §3.4.1.3.1: a query component or form body, as `application/x-www-form-urlencoded` pairs. */
export function parseFormEncoded(text: string): Pair[] | undefined {
  const pairs: Pair[] = [];
  for (const part of text.split('&')) {
    if (part === '') continue;
    const at = part.indexOf('=');
    const name = percentDecode(at < 0 ? part : part.slice(0, at), true);
    const value = percentDecode(at < 0 ? '' : part.slice(at + 1), true);
    if (name === undefined || value === undefined) return undefined;
    pairs.push([name, value]);
  }
  return pairs;
}

/** §3.5.1: `OAuth realm="…", name="value", …`, values percent-encoded inside quotes. */
export function parseAuthorizationHeader(header: string): Pair[] | undefined {
  const match = /^OAuth\s+(.*)$/is.exec(header.trim());
  if (!match) return undefined;
  const pairs: Pair[] = [];
  const body = match[1] ?? '';
  const item = /\s*([^=\s,]+)\s*=\s*"([^"]*)"\s*(?:,|$)/gy;
  let consumed = 0;
  for (let found = item.exec(body); found; found = item.exec(body)) {
    const name = percentDecode(found[1] ?? '', false);
    const value = percentDecode(found[2] ?? '', false);
    if (name === undefined || value === undefined) return undefined;
    pairs.push([name, value]);
    consumed = item.lastIndex;
  }
  if (body.slice(consumed).trim() !== '') return undefined;
  return pairs;
}

/** §3.4.1.2: scheme and host lower-case, default port left out, path as sent. */
export function baseStringUri(scheme: string, hostHeader: string, rawPath: string): string {
  const lowerScheme = scheme.toLowerCase();
  let host = hostHeader.toLowerCase();
  const defaultPort = lowerScheme === 'https' ? ':443' : ':80';
  if (host.endsWith(defaultPort)) host = host.slice(0, -defaultPort.length);
  return `${lowerScheme}://${host}${rawPath}`;
}

/** §3.4.1.3.2: encode each name and value, sort by name then value (byte order), join. */
export function normalizeParameters(pairs: readonly Pair[]): string {
  return pairs
    .map(([name, value]) => [percentEncode(name), percentEncode(value)] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** §3.4.1.1: `METHOD&enc(base string URI)&enc(normalized parameters)`. */
export function signatureBaseString(method: string, uri: string, pairs: readonly Pair[]): string {
  return [method.toUpperCase(), percentEncode(uri), percentEncode(normalizeParameters(pairs))].join('&');
}
