import { corsHeaders, preflightHeaders, withCorsHeaders, type CorsPolicy } from '../../../../../shared/platform/http/cors';

const policy: CorsPolicy = { allowHeaders: ['authorization', 'content-type'], exposeHeaders: ['retry-after'] };
const allowed = ['https://addin.example'];

function toRecord(headers: HeadersInit): Record<string, string> {
  const record: Record<string, string> = {};
  new Headers(headers).forEach((value, name) => (record[name] = value));
  return record;
}

describe('CORS', () => {
  it('grants an allowed origin exactly, never credentials', () => {
    expect(corsHeaders(policy, 'https://addin.example', allowed)).toEqual({
      'access-control-allow-origin': 'https://addin.example',
      'access-control-expose-headers': 'retry-after',
      vary: 'Origin',
    });
    expect(preflightHeaders({ ...policy, maxAgeSeconds: 60 }, ['GET', 'POST'], 'https://addin.example', allowed)).toEqual({
      'access-control-allow-origin': 'https://addin.example',
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-max-age': '60',
      vary: 'Origin',
    });
  });

  it.each([
    ['another origin', 'https://evil.example'],
    ['a longer one', 'https://addin.example.evil'],
    ['no origin', null],
    ['an empty one', ''],
    ['the opaque one', 'null'],
  ])('grants %s nothing but Vary', (_name, origin) => {
    expect(corsHeaders(policy, origin, allowed)).toEqual({ vary: 'Origin' });
    expect(preflightHeaders(policy, ['GET'], origin, allowed)).toEqual({ vary: 'Origin' });
  });

  it('leaves out Expose-Headers when there is nothing to expose', () => {
    expect(corsHeaders({ allowHeaders: [], exposeHeaders: [] }, 'https://addin.example', allowed)).toEqual({
      'access-control-allow-origin': 'https://addin.example',
      vary: 'Origin',
    });
  });

  describe('withCorsHeaders', () => {
    const cors = corsHeaders(policy, 'https://addin.example', allowed);

    it.each([
      ['a record', { 'Content-Type': 'application/json', Vary: 'Authorization' }],
      ['a Headers object', new Headers({ 'content-type': 'application/json', vary: 'Authorization' })],
      [
        'pairs',
        [
          ['content-type', 'application/json'],
          ['Vary', 'Authorization'],
        ] as [string, string][],
      ],
    ])('merges into %s, adding to Vary', (_name, headers) => {
      const merged = withCorsHeaders(headers, cors);
      expect(toRecord(merged)).toEqual({
        'content-type': 'application/json',
        vary: 'Authorization, Origin',
        'access-control-allow-origin': 'https://addin.example',
        'access-control-expose-headers': 'retry-after',
      });
    });

    it('sets over what the handler said, and never repeats Origin in Vary', () => {
      const merged = new Headers(withCorsHeaders({ 'Access-Control-Allow-Origin': '*', Vary: 'origin' }, cors));
      expect(merged.get('access-control-allow-origin')).toBe('https://addin.example');
      expect(merged.get('vary')).toBe('origin');
    });

    it('reads names of a record without case, as Headers does', () => {
      expect(toRecord(withCorsHeaders({ vary: 'Accept', Vary: 'Authorization' }, cors))).toEqual({
        vary: 'Accept, Authorization, Origin',
        'access-control-allow-origin': 'https://addin.example',
        'access-control-expose-headers': 'retry-after',
      });
    });

    it('works without headers', () => {
      expect(toRecord(withCorsHeaders(undefined, { vary: 'Origin' }))).toEqual({ vary: 'Origin' });
    });
  });
});
