import type { TokenVersion } from '../../dev/sandbox/issuer/tokenIssuer';
import { newGuid } from '../../dev/sandbox/newGuid';
import { startAppStack, type AppStack } from '../support/appStack';
import { agent, AUDIENCE, type Reply } from '../support/proxyStack';

/**
 * Entra issues v1.0 access tokens to an API whose manifest leaves
 * `requestedAccessTokenVersion` unset, v2.0 ones when it is 2. The add-in cannot choose, so
 * the same user must get the same answers and leave the same records whichever version
 * the API's registration produces: through the local host, on the proxy, links and license
 * routes, each token as Entra shapes it (v2.0 `aud` the API's client id, v1.0 `aud` the App
 * ID URI the add-in asked for).
 */

const VERSIONS: readonly TokenVersion[] = ['1.0', '2.0'];
const apiClientId = newGuid();

let stack: AppStack;
const tokens = {} as Record<TokenVersion, string>;

beforeAll(async () => {
  stack = await startAppStack({ queues: false, env: { API_AUDIENCE: `${AUDIENCE},api://${apiClientId},${apiClientId}` } });
  await stack.registerInstance('demo');
  const user = { tenantId: stack.users.tenantId, userId: stack.users.userId, name: 'Ada Lovelace', username: 'ada@contoso.example' };
  tokens['1.0'] = await stack.issuer.mint({ ...user, audience: `api://${apiClientId}`, version: '1.0' });
  tokens['2.0'] = await stack.issuer.mint({ ...user, audience: apiClientId, version: '2.0' });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await agent.close();
});

/** The same request with each version's token. */
async function both(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<Record<TokenVersion, Reply>> {
  const replies = {} as Record<TokenVersion, Reply>;
  for (const version of VERSIONS) {
    replies[version] = await stack.send(method, path, {
      token: tokens[version],
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
  }
  return replies;
}

const conversationId = () => `conv-${newGuid()}`;

describe('a v1.0 and a v2.0 token of the same user', () => {
  it('meet the same Jira authorization: unauthorized alike, and authorized alike after the dance with either', async () => {
    const before = await both('GET', '/api/jira/demo/proxy/rest/api/2/myself');
    expect(before['1.0'].status).toBe(401);
    expect(before['1.0'].json().code).toBe('jira_authorization_required');
    expect(before['2.0'].json()).toEqual(before['1.0'].json());

    // The dance started with the v1.0 token stores the Jira token under the user the v2.0 token names too.
    expect((await stack.authorize(tokens['1.0'], 'demo', 'alice')).status).toBe(200);
    const after = await both('GET', '/api/jira/demo/proxy/rest/api/2/myself');
    expect(after['1.0'].status).toBe(200);
    expect(after['2.0'].status).toBe(200);
    expect(JSON.parse(after['2.0'].text)).toEqual(JSON.parse(after['1.0'].text));
    expect(JSON.parse(after['1.0'].text)).toMatchObject({ name: 'alice' });
  });

  it('get the same license answer', async () => {
    // The first call asks Jira, the next ones read the tenant's cached decision: compare like with like.
    const first = await both('GET', '/api/licenses/demo');
    expect(first['1.0'].json()).toMatchObject({ source: 'live', licensed: true });
    expect(first['2.0'].json()).toEqual({ ...first['1.0'].json(), source: 'cache' });
    const cached = await both('GET', '/api/licenses/demo');
    expect(cached['1.0'].status).toBe(200);
    expect(cached['2.0'].status).toBe(200);
    expect(cached['2.0'].json()).toEqual(cached['1.0'].json());
  });

  it('own the same links: made with one, seen, re-made and removed with the other, the stored owner the user oid', async () => {
    const conversation = conversationId();
    const link = { conversationId: conversation, instanceId: 'demo', issueKey: 'DEMO-1' };
    const made = await stack.send('POST', '/api/links', {
      token: tokens['1.0'],
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(link),
    });
    expect(made.status).toBe(201);
    expect(made.json()).toMatchObject({ ...link, linkedBy: stack.users.userId });

    // Linking again with the v2.0 token is the same user linking again: nothing new.
    const again = await stack.send('POST', '/api/links', {
      token: tokens['2.0'],
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(link),
    });
    expect(again.status).toBe(200);
    expect(again.json()).toEqual(made.json());

    const listed = await both('GET', `/api/links?conversationId=${encodeURIComponent(conversation)}`);
    expect(listed['1.0'].status).toBe(200);
    expect(listed['2.0'].json()).toEqual(listed['1.0'].json());
    expect(listed['1.0'].json().items).toEqual([made.json()]);

    const stored = await stack.services.repositories.links.get({ tenantId: stack.users.tenantId, ...link });
    expect(stored?.userId).toBe(stack.users.userId);
    // The mailbox kept subscribed is the user's, whichever token made the link.
    expect(await stack.services.repositories.mailboxes.get({ tenantId: stack.users.tenantId, userId: stack.users.userId })).toBeDefined();

    const query = new URLSearchParams(link).toString();
    expect((await stack.send('DELETE', `/api/links?${query}`, { token: tokens['2.0'] })).status).toBe(204);
    const gone = await both('GET', `/api/links?conversationId=${encodeURIComponent(conversation)}`);
    expect(gone['1.0'].json()).toEqual({ items: [] });
    expect(gone['2.0'].json()).toEqual({ items: [] });
  });

  it('are each made with the same link owner when each links a conversation of its own', async () => {
    const owners: string[] = [];
    for (const version of VERSIONS) {
      const link = { conversationId: conversationId(), instanceId: 'demo', issueKey: 'DEMO-2' };
      const made = await stack.send('POST', '/api/links', {
        token: tokens[version],
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(link),
      });
      expect(made.status).toBe(201);
      owners.push(String((await stack.services.repositories.links.get({ tenantId: stack.users.tenantId, ...link }))?.userId));
    }
    expect(owners).toEqual([stack.users.userId, stack.users.userId]);
  });
});
