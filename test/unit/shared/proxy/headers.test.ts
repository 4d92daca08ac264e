import { AppError } from '../../../../shared/platform/errors/AppError';
import { corsHeaders, preflightHeaders } from '../../../../shared/platform/http/cors';
import { proxyCorsPolicy } from '../../../../shared/proxy/proxyCorsPolicy';
import { toClientHeaders } from '../../../../shared/proxy/toClientHeaders';
import { toUpstreamHeaders } from '../../../../shared/proxy/toUpstreamHeaders';

describe('toUpstreamHeaders', () => {
  it('forwards the allow-list only', () => {
    const out = toUpstreamHeaders([
      ['Accept', 'application/json'],
      ['Content-Type', 'application/json'],
      ['Content-Length', '12'],
      ['If-Match', '"1"'],
      ['X-Atlassian-Token', 'no-check'],
      ['Authorization', 'Bearer user-token'],
      ['Cookie', 'JSESSIONID=1'],
      ['Host', 'evil.example'],
      ['X-Forwarded-For', '10.0.0.1'],
      ['X-Forwarded-Host', 'evil.example'],
      ['Forwarded', 'for=1.2.3.4'],
      ['Transfer-Encoding', 'chunked'],
      ['TE', 'trailers'],
      ['Upgrade', 'websocket'],
      ['Keep-Alive', 'timeout=5'],
      ['Proxy-Authorization', 'Basic x'],
      ['Proxy-Connection', 'keep-alive'],
      ['Origin', 'https://addin.example'],
      ['User-Agent', 'browser'],
    ]);
    expect(out).toEqual({
      accept: 'application/json',
      'content-type': 'application/json',
      'content-length': '12',
      'if-match': '"1"',
      'x-atlassian-token': 'no-check',
    });
  });

  it('drops what the Connection header names, in any case', () => {
    expect(
      toUpstreamHeaders([
        ['connection', 'close, Content-Type ,IF-MATCH'],
        ['content-type', 'a/b'],
        ['if-match', '"x"'],
        ['accept', '*/*'],
      ]),
    ).toEqual({ accept: '*/*' });
  });

  it.each([
    ['CR', 'a\rb'],
    ['LF', 'a\nX-Evil: 1'],
    ['CRLF', 'a\r\nX-Evil: 1'],
    ['NUL', 'a\u0000b'],
  ])('refuses a value with %s, even in a header that would be dropped', (_name, value) => {
    expect(() => toUpstreamHeaders([['x-dropped', value]])).toThrow(AppError);
    expect(() => toUpstreamHeaders([['accept', value]])).toThrow(expect.objectContaining({ code: 'invalid_header' }) as Error);
  });
});

describe('toClientHeaders', () => {
  it('returns the allow-list and rate-limit headers, never cookies or challenges', () => {
    const out = toClientHeaders({
      'content-type': 'application/json',
      'content-length': '3',
      'content-disposition': 'attachment',
      etag: '"1"',
      'last-modified': 'x',
      'cache-control': 'private',
      'retry-after': '2',
      'x-ratelimit-limit': '100',
      'x-ratelimit-fillrate': '10',
      'x-arequestid': '1x1',
      'set-cookie': ['JSESSIONID=1', 'b=2'],
      'www-authenticate': 'OAuth realm="x"',
      location: 'https://jira.example/x',
      server: 'Apache-Coyote',
      'x-asessionid': 'abc',
      'x-seraph-loginreason': 'OK',
      'strict-transport-security': 'max-age=1',
    });
    expect(out).toEqual({
      'content-type': 'application/json',
      'content-length': '3',
      'content-disposition': 'attachment',
      etag: '"1"',
      'last-modified': 'x',
      'cache-control': 'private',
      'retry-after': '2',
      'x-ratelimit-limit': '100',
      'x-ratelimit-fillrate': '10',
      'x-arequestid': '1x1',
      vary: 'Authorization',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    });
  });

  it.each([
    ['public, max-age=3600', 'private, max-age=3600'],
    ['max-age=600, Public', 'private, max-age=600'],
    ['public, s-maxage=86400, max-age=60, proxy-revalidate', 'private, max-age=60'],
    ['s-maxage=300', 'private'],
    ['max-age=60, must-revalidate', 'private, max-age=60, must-revalidate'],
    ['public, no-store', 'no-store'],
    ['private, max-age=30', 'private, max-age=30'],
    ['no-cache, no-store, no-transform', 'no-cache, no-store, no-transform'],
    ['max-age=5', 'max-age=5'],
  ])('makes Cache-Control %j private to shared caches: %j', (upstream, expected) => {
    expect(toClientHeaders({ 'cache-control': upstream })['cache-control']).toBe(expected);
  });

  it('drops headers the upstream names in Connection', () => {
    expect(toClientHeaders({ connection: 'etag', etag: '"1"' }).etag).toBeUndefined();
  });
});

describe('toClientHeaders, edge cases', () => {
  it('reads a Connection header given as a list, with spaces and any case', () => {
    const out = toClientHeaders({
      connection: [' Close , ETag', 'Content-Disposition'],
      etag: '"1"',
      'content-disposition': 'inline',
      'content-type': 'a/b',
    });
    expect(Object.keys(out)).not.toContain('etag');
    expect(Object.keys(out)).not.toContain('content-disposition');
    expect(out['content-type']).toBe('a/b');
  });

  it('drops an absent value and a value with a line break, joins a repeated one, and passes the rest byte for byte', () => {
    const out = toClientHeaders({
      'content-type': undefined,
      'content-disposition': 'attachment\r\nSet-Cookie: a=b',
      'x-ratelimit-limit': ['10', '20'],
      // Commas and empty items are part of an opaque entity tag (RFC 9110 §8.8.3), not a list to tidy.
      etag: '"v1,,public"',
    });
    expect(Object.keys(out)).not.toContain('content-type');
    expect(Object.keys(out)).not.toContain('content-disposition');
    expect(out['x-ratelimit-limit']).toBe('10, 20');
    expect(out.etag).toBe('"v1,,public"');
  });

  it('returns X-RateLimit-* by its whole name only', () => {
    const out = toClientHeaders({ 'x-ratelimit-limit2': '1', 'my-x-ratelimit-limit': '1', 'x-ratelimit-remaining': '5' });
    expect(Object.keys(out).filter((name) => name.includes('ratelimit'))).toEqual(['x-ratelimit-remaining']);
  });

  it.each([
    ['public,, max-age=60', 'private, max-age=60'],
    ['private, public, max-age=30', 'private, max-age=30'],
    ['public, s-maxage =300', 'private'],
  ])('makes Cache-Control %j private once, without empty directives: %j', (upstream, expected) => {
    expect(toClientHeaders({ 'cache-control': upstream })['cache-control']).toBe(expected);
  });
});

describe('toUpstreamHeaders, edge cases', () => {
  it('says why a value with a line break is refused', () => {
    expect(() => toUpstreamHeaders([['accept', 'a\r\nX-Evil: 1']])).toThrow(
      expect.objectContaining({ code: 'invalid_header', detail: 'a header contains a line break or NUL' }) as Error,
    );
  });

  it('lets only Connection name the headers to drop: another value that spells a header name drops nothing', () => {
    expect(
      toUpstreamHeaders([
        ['accept', 'application/json'],
        ['x-atlassian-token', 'accept'],
      ]),
    ).toEqual({
      accept: 'application/json',
      'x-atlassian-token': 'accept',
    });
  });
});

describe("the proxy's CORS policy", () => {
  const allowed = ['https://addin.example'];
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
  it('lets a page send what is forwarded and read what is returned, rate limits included', () => {
    expect(corsHeaders(proxyCorsPolicy, 'https://addin.example', allowed)).toEqual({
      'access-control-allow-origin': 'https://addin.example',
      'access-control-expose-headers':
        'content-type, content-length, content-disposition, content-range, accept-ranges, etag, last-modified, cache-control, retry-after, x-arequestid, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-interval-seconds, x-ratelimit-fillrate',
      vary: 'Origin',
    });
    expect(preflightHeaders(proxyCorsPolicy, methods, 'https://addin.example', allowed)).toEqual({
      'access-control-allow-origin': 'https://addin.example',
      'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
      'access-control-allow-headers':
        'authorization, accept, accept-language, content-type, if-match, if-none-match, if-modified-since, if-unmodified-since, if-range, range, x-atlassian-token',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
  });
});
