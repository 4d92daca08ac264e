import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { canonicalRequest, queryStringHash } from '../../../../shared/admin/canonicalRequest';

const target = (method: string, path: string, query = '') => ({ method, path, query: new URLSearchParams(query) });

describe('canonicalRequest (Atlassian Connect qsh)', () => {
  it('matches the documented examples', () => {
    expect(canonicalRequest(target('GET', '/', 'param=foo'))).toBe('GET&/&param=foo');
    expect(canonicalRequest(target('post', '/user'))).toBe('POST&/user&');
  });

  it('sorts parameters, joins repeated values sorted with commas, and leaves jwt out', () => {
    expect(canonicalRequest(target('GET', '/api/manage/ui', 'b=2&a=z&a=y&jwt=abc.def.ghi&c='))).toBe('GET&/api/manage/ui&a=y,z&b=2&c=');
    // By code unit, not locale: upper case before lower, `%` before digits.
    expect(canonicalRequest(target('GET', '/p', 'b=1&B=2&a=x&a=X&a=%25&a=1'))).toBe('GET&/p&B=2&a=%25,1,X,x&b=1');
  });

  it('percent-encodes as RFC 3986: space as %20, * ! ( ) encoded, ~ kept, + in a query read as a space', () => {
    expect(canonicalRequest(target('GET', '/x', 'q=a b&r=*!()~&s=1+2&t=%2B'))).toBe('GET&/x&q=a%20b&r=%2A%21%28%29~&s=1%202&t=%2B');
    expect(canonicalRequest(target('GET', '/x', 'na%20me=ü'))).toBe('GET&/x&na%20me=%C3%BC');
  });

  it('normalises the path: never empty, starts with /, one trailing slash removed, & written %26', () => {
    expect(canonicalRequest(target('GET', ''))).toBe('GET&/&');
    expect(canonicalRequest(target('GET', '/'))).toBe('GET&/&');
    expect(canonicalRequest(target('GET', 'user'))).toBe('GET&/user&');
    expect(canonicalRequest(target('GET', '/api/manage/ui/'))).toBe('GET&/api/manage/ui&');
    // atlassian-jwt (Node.js and Java) removes one: a Jira app signs `/a//` as `/a/`.
    expect(canonicalRequest(target('GET', '/a//'))).toBe('GET&/a/&');
    expect(canonicalRequest(target('GET', '/a&b&c'))).toBe('GET&/a%26b%26c&');
  });

  it('qsh is the SHA-256 hex of the canonical request', () => {
    expect(queryStringHash(target('GET', '/', 'param=foo'))).toBe(createHash('sha256').update('GET&/&param=foo').digest('hex'));
  });

  it('does not depend on the order of the parameters, and tells any other change apart', () => {
    const pair = fc.tuple(
      fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s !== 'jwt'),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 6 }), fc.string({ minLength: 1, maxLength: 8 }), (pairs, extra) => {
        const forward = new URLSearchParams(pairs);
        const backward = new URLSearchParams([...pairs].reverse());
        expect(queryStringHash({ method: 'GET', path: '/p', query: forward })).toBe(
          queryStringHash({ method: 'GET', path: '/p', query: backward }),
        );
        const changed = new URLSearchParams(pairs);
        changed.append(`${extra}_`, 'x');
        expect(queryStringHash({ method: 'GET', path: '/p', query: changed })).not.toBe(
          queryStringHash({ method: 'GET', path: '/p', query: forward }),
        );
      }),
    );
  });
});
