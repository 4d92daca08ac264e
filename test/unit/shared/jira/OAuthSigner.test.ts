import { generateKeyPairSync, verify } from 'node:crypto';
import { OAuthSigner } from '../../../../shared/jira/OAuthSigner';
import { AppError } from '../../../../shared/platform/errors/AppError';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const clock = { now: () => 1_700_000_000_123 };

/** The header's parameters, decoded, as Jira's parser reads them. */
function headerParams(header: string): Map<string, string> {
  expect(header.startsWith('OAuth ')).toBe(true);
  const params = new Map<string, string>();
  for (const [, name, value] of header.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g)) params.set(name!, decodeURIComponent(value!));
  return params;
}

// RFC 3986 unreserved characters stay, everything else is %XX (RFC 5849 §3.6), written by hand here.
const enc = (text: string) => encodeURIComponent(text).replace(/[!*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function expectSignedOver(header: string, method: string, baseUri: string, pairs: [string, string][]): void {
  const params = headerParams(header);
  const all: [string, string][] = [...pairs];
  for (const [name, value] of params) if (name !== 'oauth_signature') all.push([name, value]);
  const normalized = all
    .map(([n, v]) => [enc(n), enc(v)] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([n, v]) => `${n}=${v}`)
    .join('&');
  const base = `${method}&${enc(baseUri)}&${enc(normalized)}`;
  const ok = verify('sha1', Buffer.from(base), publicKey, Buffer.from(params.get('oauth_signature')!, 'base64'));
  expect(ok).toBe(true);
}

describe('OAuthSigner', () => {
  const signer = new OAuthSigner({ consumerKey: 'jira-outlook-cloud:abc', privateKey, clock });

  it('signs RSA-SHA1 with the clock time, the consumer key and the token', () => {
    const header = signer.authorization({
      method: 'get',
      url: new URL('https://jira.example.com/rest/api/2/myself'),
      token: { key: 'tok en', secret: 's' },
    });
    const params = headerParams(header);
    expect(params.get('oauth_signature_method')).toBe('RSA-SHA1');
    expect(params.get('oauth_timestamp')).toBe('1700000000');
    expect(params.get('oauth_consumer_key')).toBe('jira-outlook-cloud:abc');
    expect(params.get('oauth_token')).toBe('tok en');
    expect(params.get('oauth_version')).toBe('1.0');
    expectSignedOver(header, 'GET', 'https://jira.example.com/rest/api/2/myself', []);
  });

  it('uses a fresh nonce for every request', () => {
    const url = new URL('https://jira.example.com/rest/api/2/myself');
    const nonces = new Set(Array.from({ length: 50 }, () => headerParams(signer.authorization({ method: 'GET', url })).get('oauth_nonce')));
    expect(nonces.size).toBe(50);
  });

  it('signs every value of a repeated query name, values with "=", "+" as space, and a lower-cased host without default port', () => {
    const url = new URL(
      'https://JIRA.Example.com:443/jira/rest/api/2/search?fields=b&jql=project=DEMO%20AND%20x%3D1&fields=a&c+d=%2B&empty&e=',
    );
    const header = signer.authorization({ method: 'GET', url });
    expectSignedOver(header, 'GET', 'https://jira.example.com/jira/rest/api/2/search', [
      ['fields', 'b'],
      ['jql', 'project=DEMO AND x=1'],
      ['fields', 'a'],
      ['c d', '+'],
      ['empty', ''],
      ['e', ''],
    ]);
  });

  it('keeps a non-default port and signs non-ASCII values as UTF-8', () => {
    const url = new URL('http://127.0.0.1:8080/rest/api/2/search?jql=summary~%22Gr%C3%BC%C3%9Fe%22');
    expectSignedOver(signer.authorization({ method: 'GET', url }), 'GET', 'http://127.0.0.1:8080/rest/api/2/search', [
      ['jql', 'summary~"Grüße"'],
    ]);
  });

  it('signs form parameters of a form body, and nothing of a JSON body', () => {
    const url = new URL('https://jira.example.com/rest/x?q=1');
    const withForm = signer.authorization({
      method: 'POST',
      url,
      form: [
        ['name', 'a b'],
        ['q', '2'],
      ],
    });
    expectSignedOver(withForm, 'POST', 'https://jira.example.com/rest/x', [
      ['q', '1'],
      ['name', 'a b'],
      ['q', '2'],
    ]);
    const json = signer.authorization({ method: 'POST', url });
    expectSignedOver(json, 'POST', 'https://jira.example.com/rest/x', [['q', '1']]);
  });

  it('puts protocol parameters (callback, verifier) into the header and the signature', () => {
    const header = signer.authorization({
      method: 'POST',
      url: new URL('https://jira.example.com/plugins/servlet/oauth/request-token'),
      protocol: { oauth_callback: 'https://app.example.com/api/jira/oauth/callback' },
    });
    expect(headerParams(header).get('oauth_callback')).toBe('https://app.example.com/api/jira/oauth/callback');
    expectSignedOver(header, 'POST', 'https://jira.example.com/plugins/servlet/oauth/request-token', []);
  });

  it.each(['oauth_token=x', 'OAUTH_nonce=1', '__proto__=1', 'a=%zz', 'a=%C3'])('refuses the query %s', (query) => {
    expect(() => signer.authorization({ method: 'GET', url: new URL(`https://jira.example.com/rest/x?${query}`) })).toThrow(AppError);
  });

  it('signs names that are properties of plain objects', () => {
    const url = new URL('https://jira.example.com/rest/x?constructor=1&toString=2&hasOwnProperty=3');
    expectSignedOver(signer.authorization({ method: 'GET', url }), 'GET', 'https://jira.example.com/rest/x', [
      ['constructor', '1'],
      ['toString', '2'],
      ['hasOwnProperty', '3'],
    ]);
  });
});
