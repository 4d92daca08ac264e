import { sendJson } from '../../dev/sandbox/jira/simulatorResponses';
import { agent as stackAgent, ADDIN_ORIGIN } from '../support/proxyStack';
import { startAppStack, type AppStack } from '../support/appStack';

/**
 * Shared caches and the proxy. Every proxied answer is one user's view of Jira, fetched with
 * that user's credential, and all of them share our origin and URL space. A shared cache
 * (a corporate proxy, a CDN in front of the app) may store an answer to a request with
 * `Authorization` when the answer says `public` or `s-maxage` (RFC 9111 §3.5) and would then
 * hand alice's issue to bob. So the proxy makes such answers private (keeping their lifetime
 * for the user's own browser) and always says they vary by `Authorization`.
 */

let stack: AppStack;
const CACHED_PATH = /^\/rest\/api\/2\/cached\/([a-z-]+)$/;

/** How the test route answers, by the last path segment. */
const CACHE_CONTROL: Record<string, string> = {
  public: 'public, max-age=3600',
  'public-last': 'max-age=600, PUBLIC',
  shared: 'public, s-maxage=86400, max-age=60, proxy-revalidate',
  'shared-only': 's-maxage=300',
  'no-store': 'no-cache, no-store, no-transform',
  private: 'private, max-age=30',
};

beforeAll(async () => {
  stack = await startAppStack({ queues: false });
  await stack.registerInstance('demo');
  expect((await stack.authorize(stack.tokens.user, 'demo', 'alice')).status).toBe(200);
  // Jira's avatars and static resources answer `Cache-Control: public`; this route stands in for them.
  stack.jira.addRoute({
    methods: ['GET'],
    path: CACHED_PATH,
    auth: 'user',
    handle: (context) => {
      const kind = context.match[1] ?? '';
      sendJson(context.response, 200, { user: context.user?.name }, { 'Cache-Control': CACHE_CONTROL[kind] ?? 'public' });
    },
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await stackAgent.close();
});

const directives = (value: unknown) =>
  String(value)
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== '');
const varies = (value: unknown) => directives(value).map((token) => token.replace(/\s+/g, ''));

describe('proxied answers Jira marks cacheable for everyone', () => {
  it.each([
    ['public, max-age=3600', 'public', ['private', 'max-age=3600']],
    ['max-age=600, PUBLIC', 'public-last', ['max-age=600', 'private']],
    ['public, s-maxage=86400, max-age=60, proxy-revalidate', 'shared', ['private', 'max-age=60']],
    ['s-maxage=300', 'shared-only', ['private']],
  ])('Jira says %j: the client gets a private answer that varies by Authorization', async (_upstream, kind, expected) => {
    const reply = await stack.send('GET', `/api/jira/demo/proxy/rest/api/2/cached/${kind}`, { token: stack.tokens.user });
    expect(reply.status).toBe(200);
    expect(reply.json().user).toBe('alice');
    expect(directives(reply.headers['cache-control']).sort()).toEqual([...expected].sort());
    expect(varies(reply.headers.vary)).toContain('authorization');
  });

  it.each([
    ['no-cache, no-store, no-transform', 'no-store'],
    ['private, max-age=30', 'private'],
  ])('Jira says %j: kept as it is, and it varies by Authorization too', async (upstream, kind) => {
    const reply = await stack.send('GET', `/api/jira/demo/proxy/rest/api/2/cached/${kind}`, { token: stack.tokens.user });
    expect(reply.status).toBe(200);
    expect(directives(reply.headers['cache-control'])).toEqual(directives(upstream));
    expect(varies(reply.headers.vary)).toContain('authorization');
  });

  it('from the add-in (CORS): Vary names both Origin and Authorization', async () => {
    const reply = await stack.send('GET', '/api/jira/demo/proxy/rest/api/2/cached/public', {
      token: stack.tokens.user,
      headers: { origin: ADDIN_ORIGIN },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['access-control-allow-origin']).toBe(ADDIN_ORIGIN);
    expect(varies(reply.headers.vary)).toEqual(expect.arrayContaining(['origin', 'authorization']));
    expect(directives(reply.headers['cache-control'])).not.toContain('public');
  });
});
