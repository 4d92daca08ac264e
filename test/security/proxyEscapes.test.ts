import fc from 'fast-check';
import { systemClock } from '../../shared/platform/clock';
import { agent as stackAgent, send, sendRaw, startStack, type Stack } from '../support/proxyStack';
import { startAppStack, type AppStack } from '../support/appStack';
import { parseRawResponse } from '../support/parseRawResponse';

/**
 * SSRF and path escapes through the proxy. The proxy may only ever reach the instance's
 * own `rest/…` and `secure/attachment/…`, on the instance's own host, as the user's OAuth
 * identity: no spelling of a path, no query, Host header, request target or redirect
 * takes it anywhere else, and no base URL that is (or spells) a private address can be
 * registered where private targets are off. The cases of test/integration/proxy.test.ts
 * are not repeated here; these are the spellings it leaves out, and a property over
 * random paths built from the dangerous pieces.
 */

let stack: AppStack;
let strict: Stack;

beforeAll(async () => {
  stack = await startAppStack({ queues: false });
  await stack.registerInstance('demo');
  expect((await stack.authorize(stack.tokens.user, 'demo', 'alice')).status).toBe(200);
  // The same storage and identity, served as production would be configured.
  strict = await startStack({
    azurite: stack.azurite,
    issuer: stack.issuer,
    clock: systemClock,
    log: stack.log,
    jira: stack.jira,
    env: { ALLOW_PRIVATE_NETWORK_TARGETS: 'false', ALLOW_INSECURE_JIRA: 'false' },
  });
}, 60_000);

afterAll(async () => {
  await strict?.stop();
  await stack?.stop();
  await stackAgent.close();
});

const proxy = (path: string) => `/api/jira/demo/proxy/${path}`;
const jiraHost = () => new URL(stack.jira.url).host;

/** Decodes up to twice, as a front end plus Tomcat might; what Jira could end up reading. */
function decodedForms(path: string): string[] {
  const forms = [path];
  for (let i = 0; i < 2; i += 1) {
    try {
      forms.push(decodeURIComponent(forms.at(-1) ?? ''));
    } catch {
      break;
    }
  }
  return forms;
}

/** The Jira user whose access token signed a request Jira received (unknown paths record no user). */
function signedAs(authorization: string | string[] | undefined): string | undefined {
  const token = /oauth_token="([^"]*)"/.exec(String(authorization))?.[1];
  if (token === undefined || /xoauth_requestor_id|user_id/.test(String(authorization))) return undefined;
  return stack.jira.state.accessTokens.get(decodeURIComponent(token))?.user;
}

/** What Jira received stayed inside the instance: its REST or attachment paths, no climbing. */
function confined(url: string): boolean {
  const path = url.split('?', 1)[0] ?? '';
  return decodedForms(path).every((form) => {
    const segments = form.split('/');
    return (
      (form.startsWith('/rest/') || form.startsWith('/secure/attachment/')) &&
      !segments.some((segment) => segment === '..' || segment === '.' || segment.split(';')[0] === '..') &&
      !form.includes('\\')
    );
  });
}

describe('path escapes', () => {
  it.each([
    ['double-encoded dots', 'rest/api/2/%252e%252e/%252e%252e/secure/admin'],
    ['double-encoded slashes around dots', 'rest/api/2/issue%252f..%252f..%252f..%252fsecure%252fadmin'],
    ['double-encoded slash, then dots', 'rest/api/2/x/..%252f..%252f..%252fplugins'],
    ['double-encoded NUL', 'rest/api/2/x%2500'],
    ['overlong UTF-8 dots', 'rest/api/2/%c0%ae%c0%ae/secure/admin'],
    ['IIS %u escapes', 'rest/api/2/%u002e%u002e/secure'],
    ['a trailing dot-dot', 'rest/api/2/issue/..'],
    ['a lone dot', 'rest/./api/2/myself'],
    ['upper-case root, then up', 'REST/../secure/admin/ViewLogging.jspa'],
    ['an encoded letter in the root, then up', '%72est/../../secure/admin'],
    ['the simulator control endpoint', '_sandbox/faults'],
    ['up to the control endpoint', 'rest/../_sandbox/faults'],
    ['encoded slashes to it', 'rest%2f..%2f_sandbox%2ffaults'],
    ['an encoded semicolon', 'rest/api/2/issue/DEMO-1%3bjsessionid=x'],
    ['a raw tab', 'rest/api/2/my\tself'],
    ['attachment root without a file', 'secure/attachment'],
    ['a Windows drive', 'rest/api/2/C:%5cwindows'],
  ])('%s: 400 and Jira saw nothing', async (_name, path) => {
    const seen = stack.jira.requests.length;
    const reply = path.includes('\t')
      ? parseRawResponse(
          (
            await sendRaw(stack.host!, [
              `GET ${proxy(path)} HTTP/1.1`,
              `Host: 127.0.0.1:${stack.port}`,
              `Authorization: Bearer ${stack.tokens.user}`,
              'Connection: close',
            ])
          ).text,
        )
      : await stack.send('GET', proxy(path), { token: stack.tokens.user }).then((answer) => ({ status: answer.status, body: answer.text }));
    expect(reply.status).toBe(400);
    expect(stack.jira.requests.length).toBe(seen);
  });

  it.each([
    ['an OAuth parameter, case changed', 'rest/api/2/myself?OAuth_Token=forged'],
    ['an OAuth parameter, name percent-encoded', 'rest/api/2/myself?%6fauth_token=forged'],
    ['the consumer key', 'rest/api/2/myself?oauth_consumer_key=other'],
    ['a signature', 'rest/api/2/myself?oauth_signature=x'],
    ['prototype pollution', 'rest/api/2/myself?__proto__=x'],
    ['the 2-legged impersonation parameter', 'rest/api/2/myself?xoauth_requestor_id=admin'],
    ['the other impersonation parameter', 'rest/api/2/myself?user_id=admin'],
    ['the other impersonation parameter, case changed', 'rest/api/2/myself?User_ID=admin'],
  ])('%s in the query: 400 invalid_query and Jira saw nothing', async (_name, path) => {
    const seen = stack.jira.requests.length;
    const reply = await stack.send('GET', proxy(path), { token: stack.tokens.user });
    expect({ status: reply.status, code: reply.json().code }).toEqual({ status: 400, code: 'invalid_query' });
    expect(stack.jira.requests.length).toBe(seen);
  });

  // A form body's parameters are signed with the query's (RFC 5849 §3.4.1.3): Jira reads
  // them as protocol parameters wherever they are, so the body gets the query's rules.
  it.each([
    ['the 2-legged impersonation parameter', 'xoauth_requestor_id=admin'],
    ['the other impersonation parameter', 'body=hello&user_id=admin'],
    ['an impersonation parameter, name percent-encoded', '%78oauth_requestor_id=admin'],
    ['an impersonation parameter, case changed', 'USER_ID=admin&body=hello'],
    ['an OAuth parameter', 'oauth_token=forged'],
    ['prototype pollution', '__proto__=x'],
  ])('%s in a form body: 400 invalid_query and Jira saw nothing', async (_name, form) => {
    const seen = stack.jira.requests.length;
    const reply = await stack.send('POST', proxy('rest/api/2/issue/DEMO-1/comment'), {
      token: stack.tokens.user,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      body: form,
    });
    expect({ status: reply.status, code: reply.json().code }).toEqual({ status: 400, code: 'invalid_query' });
    expect(stack.jira.requests.length).toBe(seen);
  });

  it('an ordinary form body is forwarded, signed, as the user', async () => {
    const seen = stack.jira.requests.length;
    const reply = await stack.send('POST', proxy('rest/api/2/issue/DEMO-1/comment'), {
      token: stack.tokens.user,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'body=hello%20world&userid=not-a-protocol-parameter',
    });
    expect(reply.status).toBeLessThan(500);
    const forwarded = stack.jira.requests.slice(seen);
    expect(forwarded).toHaveLength(1);
    expect(signedAs(forwarded[0]!.headers.authorization)).toBe('alice');
  });

  it.each([
    ['fullwidth dots are just characters', 'rest/api/2/issue/%ef%bc%8e%ef%bc%8e'],
    ['an at sign does not change the host', 'rest/api/2/@169.254.169.254/latest'],
  ])('%s: forwarded, inside the instance, as the user', async (_name, path) => {
    const seen = stack.jira.requests.length;
    const reply = await stack.send('GET', proxy(path), { token: stack.tokens.user });
    expect(reply.status).toBeLessThan(500);
    const forwarded = stack.jira.requests.slice(seen);
    expect(forwarded).toHaveLength(1);
    expect(confined(forwarded[0]!.url)).toBe(true);
    expect(forwarded[0]!.headers.host).toBe(jiraHost());
    expect(signedAs(forwarded[0]!.headers.authorization)).toBe('alice');
    if (path.includes('myself')) expect(reply.json().name).toBe('alice');
  });

  it('a request in absolute form (a forward-proxy request) is refused by the host', async () => {
    const seen = stack.jira.requests.length;
    const reply = parseRawResponse(
      (
        await sendRaw(stack.host!, [
          `GET http://169.254.169.254${proxy('rest/api/2/myself')} HTTP/1.1`,
          'Host: 169.254.169.254',
          `Authorization: Bearer ${stack.tokens.user}`,
          'Connection: close',
        ])
      ).text,
    );
    expect(reply.status).toBe(400);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(stack.jira.requests.length).toBe(seen);
  });

  it.each(['169.254.169.254', 'evil.example:8080', 'localhost:1', '[::1]'])(
    'a Host header of %s changes nothing upstream',
    async (host) => {
      const seen = stack.jira.requests.length;
      const reply = await stack.send('GET', proxy('rest/api/2/myself'), { token: stack.tokens.user, headers: { host } });
      expect(reply.status).toBe(200);
      expect(stack.jira.requests.slice(seen).map((request) => request.headers.host)).toEqual([jiraHost()]);
    },
  );

  const plain = [
    'rest',
    'api',
    '2',
    'myself',
    'issue',
    'DEMO-1',
    'secure',
    'attachment',
    '10000',
    'admin',
    '_sandbox',
    'faults',
    'plugins',
    'servlet',
    'oauth',
    'a%20b',
    '~',
    '%7e',
    '@',
    'x?y=1',
  ];
  const dangerous = [
    '..',
    '.',
    '%2e',
    '%2E%2e',
    '%252e%252e',
    '..%252f..',
    '%252f',
    '%2f',
    '%2F',
    '%5c',
    '%255c',
    ';',
    '..;',
    '%3b',
    '%00',
    '%2500',
    '%0d%0a',
    'http:',
    '',
    '%c0%ae',
    '#frag',
    '%ef%bc%8e',
  ];
  const pathArb = fc
    .tuple(
      fc.constantFrom('rest/api/2', 'rest', 'secure/attachment/10000', 'REST/api/2', ''),
      fc.array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...plain) }, { weight: 2, arbitrary: fc.constantFrom(...dangerous) }), {
        minLength: 1,
        maxLength: 7,
      }),
    )
    .map(([prefix, segments]) => [prefix, ...segments].filter((segment, index) => index > 0 || segment !== '').join('/'));

  it('any path built from the dangerous pieces: refused, or confined to the instance', async () => {
    let forwarded = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(pathArb, async (path) => {
        const seen = stack.jira.requests.length;
        const reply = await stack.send('GET', proxy(path), { token: stack.tokens.user });
        const sent = stack.jira.requests.slice(seen);
        if (sent.length === 0) {
          refused += 1;
          if (reply.status < 400 || reply.status >= 500) throw new Error(`${path}: nothing reached Jira yet ${reply.status}`);
          if (reply.headers['content-type'] !== 'application/problem+json') throw new Error(`${path}: a refusal that is not problem+json`);
          return;
        }
        forwarded += 1;
        if (sent.length !== 1) throw new Error(`${path}: ${sent.length} requests reached Jira`);
        const [request] = sent;
        if (!confined(request!.url)) throw new Error(`${path}: Jira received ${request!.url}`);
        if (request!.headers.host !== jiraHost()) throw new Error(`${path}: Jira received Host ${String(request!.headers.host)}`);
        if (signedAs(request!.headers.authorization) !== 'alice') throw new Error(`${path}: not signed with alice's token`);
      }),
      { numRuns: 300, seed: Number(process.env.FUZZ_SEED ?? 424_242) },
    );
    console.log(`proxy path property: ${refused} refused before Jira, ${forwarded} forwarded and confined`);
    expect(forwarded).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  }, 60_000);
});

describe('redirects from Jira to elsewhere', () => {
  it.each([
    ['the metadata service', 'http://169.254.169.254/latest/meta-data/'],
    ['protocol-relative', '//evil.example/rest/api/2/myself'],
    ['the same host by another name', () => `${stack.jira.url.replace('127.0.0.1', 'localhost')}/rest/api/2/myself`],
    ['dots out of rest', () => `${stack.jira.url}/rest/api/2/../../../secure/admin`],
    ['an encoded slash', () => `${stack.jira.url}/rest/api/2/issue/DEMO-1%2f..%2f..`],
    ['javascript:', 'javascript:alert(1)'],
    ['credentials in the URL', () => `${stack.jira.url.replace('http://', 'http://admin:admin@')}/rest/api/2/myself`],
  ])('%s: 502 upstream_redirect_refused, no Location, not followed', async (_name, location) => {
    const from = `/rest/api/2/issue/R-${Math.random().toString(36).slice(2)}`;
    stack.jira.redirect(from, typeof location === 'string' ? location : location());
    const seen = stack.jira.requests.length;
    const reply = await stack.send('GET', proxy(from.slice(1)), { token: stack.tokens.user });
    expect({ status: reply.status, code: reply.json().code }).toEqual({ status: 502, code: 'upstream_redirect_refused' });
    expect(reply.headers.location).toBeUndefined();
    expect(stack.jira.requests.slice(seen)).toHaveLength(1);
  });
});

describe('base URLs that are, or spell, a private address (production settings)', () => {
  it.each([
    'https://127.1',
    'https://0x7f000001',
    'https://017700000001',
    'https://0177.0.0.1',
    'https://0.0.0.0',
    'https://[::]',
    'https://[0:0:0:0:0:ffff:7f00:1]',
    'https://[::ffff:a9fe:a9fe]',
    'https://[::7f00:1]',
    'https://[64:ff9b::a9fe:a9fe]',
    'https://[2002:a9fe:a9fe::]',
    'https://[fe80::1]',
    'https://[fd00::1]',
    'https://100.64.0.1',
    'https://172.31.255.255',
    'https://198.18.0.1',
    'https://224.0.0.1',
    'https://255.255.255.255',
    'https://LOCALHOST',
    'https://localhost.',
    // Azure's platform address (wire server: DNS, health probes, host metadata), in every spelling.
    'https://168.63.129.16',
    'https://2822734096',
    'https://0xa83f8110',
    'https://025017700420',
    'https://0250.077.0201.020',
    'https://0xa8.0x3f.0x81.0x10',
    'https://168.63.33040',
    'https://168.4161808',
    'https://[::ffff:168.63.129.16]',
    'https://[::ffff:a83f:8110]',
    'https://[0:0:0:0:0:ffff:a83f:8110]',
    'https://[0000:0000:0000:0000:0000:FFFF:A83F:8110]',
    'https://[::a83f:8110]',
    'https://[64:ff9b::a83f:8110]',
  ])('%s: refused, nothing stored', async (baseUrl) => {
    const reply = await send(strict.host, 'PUT', '/api/manage/instances/ssrf', {
      token: stack.tokens.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ baseUrl, displayName: 'ssrf' }),
    });
    expect(reply.status).toBe(400);
    expect(['target_not_allowed', 'instance_invalid']).toContain(reply.json().code);
    expect(await stack.services.repositories.instances.get({ tenantId: stack.users.tenantId, instanceId: 'ssrf' })).toBeUndefined();
  });
});
