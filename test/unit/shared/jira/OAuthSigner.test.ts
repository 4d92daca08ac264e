import crypto, { generateKeyPairSync, pbkdf2, verify } from 'node:crypto';
import { OAuthSigner } from '../../../../shared/jira/OAuthSigner';
import { lowerHelperThreadPriority } from '../../../../shared/platform/process/lowerHelperThreadPriority';

// The niceness it sets is process-wide and stays for the life of the test runner's process,
// so whether the signer asks for it is counted here; the lowering itself still happens (its
// own test checks what it does to the threads).
jest.mock('../../../../shared/platform/process/lowerHelperThreadPriority', () => {
  const actual = jest.requireActual<typeof import('../../../../shared/platform/process/lowerHelperThreadPriority')>(
    '../../../../shared/platform/process/lowerHelperThreadPriority',
  );
  return { ...actual, lowerHelperThreadPriority: jest.fn(actual.lowerHelperThreadPriority) };
});

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

  // First in the file: Stryker runs a mutant only with the tests that reached it in the dry
  // run, and only the first signature of a run reaches the code that lowers the priority.
  it("lowers the pool threads' priority once per process, after its first signature", async () => {
    const url = new URL('https://jira.example.com/rest/api/2/myself');
    await signer.authorization({ method: 'GET', url });
    await signer.authorization({ method: 'GET', url });
    expect(lowerHelperThreadPriority).toHaveBeenCalledTimes(1);
  });

  it('signs on the thread pool, not the event loop: the loop turns while a signature waits for a thread', async () => {
    // Every thread of libuv's pool busy first (FIFO queue): a signature made on the pool can
    // only end after one of these jobs; one made on the event loop would be done at once.
    const poolSize = Number(process.env.UV_THREADPOOL_SIZE) || 4;
    let busyJobsDone = 0;
    const busy = Array.from(
      { length: poolSize },
      () => new Promise<void>((resolve) => pbkdf2('busy', 'salt', 50_000, 32, 'sha256', () => ((busyJobsDone += 1), resolve()))),
    );
    let loopTurned = false;
    const url = new URL('https://jira.example.com/rest/api/2/myself');
    const signing = signer.authorization({ method: 'GET', url });
    setImmediate(() => (loopTurned = true));
    const header = await signing;
    expect(busyJobsDone).toBeGreaterThan(0);
    expect(loopTurned).toBe(true);
    expectSignedOver(header, 'GET', 'https://jira.example.com/rest/api/2/myself', []);
    await Promise.all(busy);
  });

  it('signs RSA-SHA1 with the clock time, the consumer key and the token', async () => {
    const header = await signer.authorization({
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

  it('uses a fresh 128-bit nonce for every request, across refills of the random pool (256 nonces each)', async () => {
    const url = new URL('https://jira.example.com/rest/api/2/myself');
    const headers = await Promise.all(Array.from({ length: 600 }, () => signer.authorization({ method: 'GET', url })));
    const nonces = headers.map((header) => headerParams(header).get('oauth_nonce'));
    expect(new Set(nonces).size).toBe(600);
    for (const nonce of nonces) expect(nonce).toMatch(/^[0-9a-f]{32}$/);
  });

  it('draws the CSPRNG once per 256 nonces, not once per request (the proxy signs every request)', async () => {
    const draws = jest.spyOn(crypto, 'randomBytes');
    const url = new URL('https://jira.example.com/rest/api/2/myself');
    const pending: Promise<string>[] = [];
    // The nonce is taken before the signature is awaited, so each call's draw is counted at once.
    const signNext = () => void pending.push(signer.authorization({ method: 'GET', url }));
    try {
      // Up to the next refill, wherever the tests before left the pool.
      while (draws.mock.calls.length === 0 && pending.length <= 256) signNext();
      expect(draws.mock.calls).toEqual([[16 * 256]]);
      for (let i = 0; i < 255; i += 1) signNext();
      expect(draws).toHaveBeenCalledTimes(1);
      signNext();
      expect(draws).toHaveBeenCalledTimes(2);
      const nonces = (await Promise.all(pending)).map((header) => headerParams(header).get('oauth_nonce'));
      expect(new Set(nonces).size).toBe(nonces.length);
    } finally {
      draws.mockRestore();
    }
  });

  it('rejects, rather than sending an unsigned request, when the key cannot make an RSA-SHA1 signature', async () => {
    const ed25519 = new OAuthSigner({ consumerKey: 'c', privateKey: generateKeyPairSync('ed25519').privateKey, clock });
    await expect(ed25519.authorization({ method: 'GET', url: new URL('https://jira.example.com/rest/x') })).rejects.toThrow(
      /invalid digest/,
    );
  });

  it('signs every value of a name repeated three times, in order', async () => {
    const url = new URL('https://jira.example.com/rest/api/2/search?fields=c&fields=a&fields=b');
    expectSignedOver(await signer.authorization({ method: 'GET', url }), 'GET', 'https://jira.example.com/rest/api/2/search', [
      ['fields', 'c'],
      ['fields', 'a'],
      ['fields', 'b'],
    ]);
  });

  it('signs every value of a repeated query name, values with "=", "+" as space, and a lower-cased host without default port', async () => {
    const url = new URL(
      'https://JIRA.Example.com:443/jira/rest/api/2/search?fields=b&jql=project=DEMO%20AND%20x%3D1&fields=a&c+d=%2B&empty&e=',
    );
    const header = await signer.authorization({ method: 'GET', url });
    expectSignedOver(header, 'GET', 'https://jira.example.com/jira/rest/api/2/search', [
      ['fields', 'b'],
      ['jql', 'project=DEMO AND x=1'],
      ['fields', 'a'],
      ['c d', '+'],
      ['empty', ''],
      ['e', ''],
    ]);
  });

  it('keeps a non-default port and signs non-ASCII values as UTF-8', async () => {
    const url = new URL('http://127.0.0.1:8080/rest/api/2/search?jql=summary~%22Gr%C3%BC%C3%9Fe%22');
    expectSignedOver(await signer.authorization({ method: 'GET', url }), 'GET', 'http://127.0.0.1:8080/rest/api/2/search', [
      ['jql', 'summary~"Grüße"'],
    ]);
  });

  it('signs form parameters of a form body, and nothing of a JSON body', async () => {
    const url = new URL('https://jira.example.com/rest/x?q=1');
    const withForm = await signer.authorization({
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
    const json = await signer.authorization({ method: 'POST', url });
    expectSignedOver(json, 'POST', 'https://jira.example.com/rest/x', [['q', '1']]);
  });

  it('puts protocol parameters (callback, verifier) into the header and the signature', async () => {
    const header = await signer.authorization({
      method: 'POST',
      url: new URL('https://jira.example.com/plugins/servlet/oauth/request-token'),
      protocol: { oauth_callback: 'https://app.example.com/api/jira/oauth/callback' },
    });
    expect(headerParams(header).get('oauth_callback')).toBe('https://app.example.com/api/jira/oauth/callback');
    expectSignedOver(header, 'POST', 'https://jira.example.com/plugins/servlet/oauth/request-token', []);
  });

  it.each([
    ['oauth_token=x', 'a parameter name is reserved for the OAuth protocol'],
    ['OAUTH_nonce=1', 'a parameter name is reserved for the OAuth protocol'],
    ['__proto__=1', 'a parameter name is reserved for the OAuth protocol'],
    ['a=%zz', 'the query string has an invalid percent-encoding'],
    ['a=%C3', 'the query string has an invalid percent-encoding'],
  ])('refuses the query %s: %s', async (query, detail) => {
    await expect(signer.authorization({ method: 'GET', url: new URL(`https://jira.example.com/rest/x?${query}`) })).rejects.toMatchObject({
      name: 'AppError',
      code: 'invalid_query',
      detail,
    });
  });

  it('refuses a reserved name in a form body too', async () => {
    const url = new URL('https://jira.example.com/plugins/servlet/oauth/access-token');
    await expect(signer.authorization({ method: 'POST', url, form: [['oauth_verifier', 'x']] })).rejects.toMatchObject({
      code: 'invalid_query',
    });
  });

  it('signs names that only contain "oauth_" past their start', async () => {
    const url = new URL('https://jira.example.com/rest/x?x_oauth_token=1&my_OAUTH_=2');
    expectSignedOver(await signer.authorization({ method: 'GET', url }), 'GET', 'https://jira.example.com/rest/x', [
      ['x_oauth_token', '1'],
      ['my_OAUTH_', '2'],
    ]);
  });

  it('signs names that are properties of plain objects', async () => {
    const url = new URL('https://jira.example.com/rest/x?constructor=1&toString=2&hasOwnProperty=3');
    expectSignedOver(await signer.authorization({ method: 'GET', url }), 'GET', 'https://jira.example.com/rest/x', [
      ['constructor', '1'],
      ['toString', '2'],
      ['hasOwnProperty', '3'],
    ]);
  });
});
