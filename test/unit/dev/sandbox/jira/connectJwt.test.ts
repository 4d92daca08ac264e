import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { connectQsh, connectSignedUrl } from '../../../../../dev/sandbox/jira/connectJwt';
import { queryStringHash } from '../../../../../shared/admin/canonicalRequest';

// The sandbox's signer and the app's verifier are written apart; they must agree on every URL.
describe('connectJwt (the sandbox Jira app signing its iframe URL)', () => {
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

  it('hashes the canonical request of the Connect spec', () => {
    expect(connectQsh('get', new URL('https://app.example/api/x/?b=2&a=z&a=y&jwt=t&c='))).toBe(sha256('GET&/api/x&a=y,z&b=2&c='));
    expect(connectQsh('GET', new URL('https://app.example'))).toBe(sha256('GET&/&'));
    // One trailing slash removed, as atlassian-jwt does.
    expect(connectQsh('GET', new URL('https://app.example/a//'))).toBe(sha256('GET&/a/&'));
    expect(connectQsh('GET', new URL('https://app.example/a&b?q=a%20b&r=*!()~'))).toBe(sha256('GET&/a%26b&q=a%20b&r=%2A%21%28%29~'));
  });

  it('agrees with the app verifier on arbitrary paths and queries', () => {
    const segment = fc.string({ minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(
        fc.array(fc.oneof(segment, fc.constant('')), { maxLength: 3 }),
        fc.array(fc.tuple(segment, fc.string({ maxLength: 8 })), { maxLength: 5 }),
        (path, query) => {
          const url = new URL(`https://app.example/${path.map(encodeURIComponent).join('/')}`);
          for (const [name, value] of query) url.searchParams.append(name, value);
          expect(connectQsh('GET', url)).toBe(queryStringHash({ method: 'GET', path: url.pathname, query: url.searchParams }));
        },
      ),
    );
  });

  it('signs HS256 with iss, sub, iat, exp and the qsh, and puts it on the URL', async () => {
    const url = new URL('https://app.example/api/manage/ui?lang=de');
    const signed = new URL(
      await connectSignedUrl({ issuer: 't/i', sharedSecret: 's'.repeat(32), jiraUser: 'admin', method: 'GET', url, issuedAt: 1000 }),
    );
    const jwt = signed.searchParams.get('jwt')!;
    expect(decodeProtectedHeader(jwt).alg).toBe('HS256');
    expect(decodeJwt(jwt)).toEqual({ iss: 't/i', sub: 'admin', iat: 1000, exp: 1180, qsh: connectQsh('GET', url) });
    expect(signed.searchParams.get('lang')).toBe('de');
  });
});
