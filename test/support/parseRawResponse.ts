export interface RawResponse {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body, de-chunked when it came chunked. */
  body: string;
}

/**
 * Reads an HTTP/1.1 answer captured byte for byte from a socket (`sendRaw` in
 * test/integration/proxyStack.ts answers the whole text), for tests that must send what no
 * HTTP client would and so read the answer without one too.
 */
export function parseRawResponse(text: string): RawResponse {
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const rest = split < 0 ? '' : text.slice(split + 4);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? -1);
  return { status, headers, body: headers['transfer-encoding']?.toLowerCase().includes('chunked') ? dechunk(rest) : rest };
}

function dechunk(text: string): string {
  let body = '';
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    if (lineEnd < 0) return body;
    const size = Number.parseInt(text.slice(at, lineEnd).split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size === 0) return body;
    // latin1 on the socket: sizes count bytes, which are characters here.
    body += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
