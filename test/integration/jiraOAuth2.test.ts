import { startAppStack, type AppStack } from '../support/appStack';
import { Browser } from '../support/browser';
import { TestClock } from '../support/graphHarness';
import { agent as stackAgent } from '../support/proxyStack';

/**
 * Jira OAuth 2.0 beside OAuth 1.0a (issue 17), against the simulated Jira DC provider: an
 * instance switched in place from 1.0a to 2.0, the dance (authorization code + PKCE S256,
 * state bound to the browser), proxying with the bearer token, refresh before expiry
 * (rotated refresh tokens, one refresh for concurrent requests), and refused tokens.
 */
describe('Jira OAuth 2.0 instances', () => {
  const clock = new TestClock();
  let stack: AppStack;
  let client: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    stack = await startAppStack({ queues: false, clock });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await stackAgent.close();
  });

  const user = () => stack.mint({ tenantId: stack.users.tenantId, userId: stack.users.userId });
  const proxy = async (method: 'GET' | 'POST', path: string, body?: unknown) =>
    stack.send(method, `/api/jira/demo/proxy/${path}`, {
      token: await user(),
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
  const lastJiraCall = (path: string) => [...stack.jira.requests].reverse().find((request) => request.url.startsWith(path));
  const storedRow = () =>
    stack.services.repositories.jiraTokens.access.get({ tenantId: stack.users.tenantId, userId: stack.users.userId, instanceId: 'demo' });
  const switchToOAuth2 = (extra: Record<string, unknown> = {}) =>
    stack.send('PUT', '/api/manage/instances/demo', {
      token: stack.tokens.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        baseUrl: stack.jira.url,
        displayName: 'Jira demo',
        authKind: 'oauth2',
        oauth2ClientId: client.clientId,
        oauth2ClientSecret: client.clientSecret,
        ...extra,
      }),
    });

  it('OAuth 1.0a first: the dance and a signed proxy call', async () => {
    const view = await stack.registerInstance('demo');
    expect(view.authKind).toBe('oauth1');
    // No kind named: the applinks manifest of this Jira (9.x) proposes OAuth 2.0, which needs its incoming link first.
    expect(view.proposedAuthKind).toBe('oauth2');
    expect((await stack.authorize(await user(), 'demo', 'alice')).status).toBe(200);
    const reply = await proxy('GET', 'rest/api/2/myself');
    expect(reply.status).toBe(200);
    expect(reply.json().name).toBe('alice');
    expect(lastJiraCall('/rest/api/2/myself')?.auth).toMatchObject({ kind: 'oauth', user: 'alice' });
  });

  it('an OAuth 2.0 registration without the client secret is refused, and the instance stays OAuth 1.0a', async () => {
    client = stack.jira.addOAuth2Client(`${stack.url}/api/jira/oauth/callback`);
    const refused = await stack.send('PUT', '/api/manage/instances/demo', {
      token: stack.tokens.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ baseUrl: stack.jira.url, displayName: 'Jira demo', authKind: 'oauth2', oauth2ClientId: client.clientId }),
    });
    expect(refused.status).toBe(400);
    expect(refused.json().code).toBe('instance_invalid');
    expect((await proxy('GET', 'rest/api/2/myself')).status).toBe(200);
  });

  it('the switch in place: the client secret sealed, never shown; the OAuth 1.0a token no longer used (401 with the start URL)', async () => {
    const reply = await switchToOAuth2();
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({ authKind: 'oauth2', oauth2ClientId: client.clientId, hasOAuth2ClientSecret: true });
    expect(reply.text).not.toContain(client.clientSecret);
    const row = await stack.services.repositories.instances.get({ tenantId: stack.users.tenantId, instanceId: 'demo' });
    expect(row?.encryptedOAuth2ClientSecret).toBeDefined();
    expect(JSON.stringify(row)).not.toContain(client.clientSecret);

    const before = stack.jira.requests.length;
    const proxied = await proxy('GET', 'rest/api/2/myself');
    expect(proxied.status).toBe(401);
    expect(proxied.json()).toMatchObject({ code: 'jira_authorization_required', startUrl: `${stack.url}/api/jira/demo/oauth/start` });
    // Refused before Jira: the OAuth 1.0a token is never sent to an OAuth 2.0 instance.
    expect(stack.jira.requests.length).toBe(before);
  });

  it('the OAuth 2.0 dance: PKCE S256 and the state at Jira, the grant sealed in jiraTokens, then proxy calls with the bearer token', async () => {
    const done = await stack.authorize(await user(), 'demo', 'alice');
    expect(done.status).toBe(200);
    expect(done.text).toContain('alice');
    const authorize = lastJiraCall('/rest/oauth2/latest/token');
    expect(authorize?.status).toBe(200);

    const row = await storedRow();
    expect(row).toMatchObject({ tokenKind: 'oauth2', jiraUserName: 'alice', scope: 'WRITE' });
    const issued = [...stack.jira.state.oauth2AccessTokens.values()].filter((token) => token.user === 'alice');
    expect(issued).toHaveLength(1);
    expect(JSON.stringify(row)).not.toContain(issued[0]!.token);

    const read = await proxy('GET', 'rest/api/2/myself');
    expect(read.status).toBe(200);
    expect(read.json().name).toBe('alice');
    const call = lastJiraCall('/rest/api/2/myself');
    expect(call?.auth).toMatchObject({ kind: 'oauth2', user: 'alice' });
    expect(call?.headers.authorization).toBe(`Bearer ${issued[0]!.token}`);
  });

  it('refreshes before expiry: a rotated refresh token, the old one refused by Jira afterwards', async () => {
    const before = (await storedRow())!;
    const refreshesBefore = stack.jira.state.oauth2Refreshes;
    // Jira's access tokens live 2 hours; 30 s before the end is inside the refresh margin.
    clock.advance(2 * 3600_000 - 30_000);
    const reply = await proxy('GET', 'rest/api/2/myself');
    expect(reply.status).toBe(200);
    expect(stack.jira.state.oauth2Refreshes).toBe(refreshesBefore + 1);
    const after = (await storedRow())!;
    expect(after.encryptedRefreshToken).not.toBe(before.encryptedRefreshToken);
    expect(Date.parse(after.accessExpiresAt!)).toBeGreaterThan(Date.parse(before.accessExpiresAt!));
    const used = [...stack.jira.state.oauth2RefreshTokens.values()].filter((token) => token.user === 'alice' && token.used);
    expect(used).toHaveLength(1);
  });

  it('concurrent requests at expiry share one refresh, and none fails', async () => {
    const refreshesBefore = stack.jira.state.oauth2Refreshes;
    clock.advance(2 * 3600_000);
    const replies = await Promise.all(Array.from({ length: 6 }, () => proxy('GET', 'rest/api/2/myself')));
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(stack.jira.state.oauth2Refreshes).toBe(refreshesBefore + 1);
  });

  it('an access token Jira refuses before its expiry, its refresh token still good: refreshed, the call sent again, no failure', async () => {
    const refreshesBefore = stack.jira.state.oauth2Refreshes;
    for (const token of stack.jira.state.oauth2AccessTokens.values()) if (token.user === 'alice') token.revoked = true;
    const before = stack.jira.requests.filter((request) => request.url.startsWith('/rest/api/2/myself')).length;
    const reply = await proxy('GET', 'rest/api/2/myself');
    expect(reply.status).toBe(200);
    expect(reply.json().name).toBe('alice');
    expect(stack.jira.state.oauth2Refreshes).toBe(refreshesBefore + 1);
    // The refused call, then the same call with the new token.
    const calls = stack.jira.requests.filter((request) => request.url.startsWith('/rest/api/2/myself')).slice(before);
    expect(calls.map((call) => call.status)).toEqual([401, 200]);
    expect((await proxy('POST', 'rest/api/2/search', { jql: 'project = DEMO' })).status).toBe(200);
  });

  it('an access token Jira refuses (revoked in the profile): 401 jira_authorization_required with the start URL, the grant dropped', async () => {
    stack.jira.revokeOAuth2('alice');
    const reply = await proxy('GET', 'rest/api/2/myself');
    expect(reply.status).toBe(401);
    expect(reply.json()).toMatchObject({ code: 'jira_authorization_required', startUrl: `${stack.url}/api/jira/demo/oauth/start` });
    expect(await storedRow()).toBeUndefined();
  });

  it('a refresh Jira refuses (invalid_grant): 401 with the start URL; authorizing again makes the next call work', async () => {
    expect((await stack.authorize(await user(), 'demo', 'alice')).status).toBe(200);
    for (const token of stack.jira.state.oauth2RefreshTokens.values()) token.revoked = true;
    clock.advance(2 * 3600_000);
    const refused = await proxy('GET', 'rest/api/2/myself');
    expect(refused.status).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'jira_authorization_required', startUrl: `${stack.url}/api/jira/demo/oauth/start` });
    expect(lastJiraCall('/rest/oauth2/latest/token')?.status).toBe(400);
    expect(await storedRow()).toBeUndefined();

    expect((await stack.authorize(await user(), 'demo', 'alice')).status).toBe(200);
    expect((await proxy('GET', 'rest/api/2/myself')).status).toBe(200);
  });

  it('denied in Jira: the dialog page says so and nothing is stored', async () => {
    await stack.services.jiraTokenStore.dropAccess(stack.users.tenantId, stack.users.userId, 'demo');
    const started = await stack.send('POST', '/api/jira/demo/oauth/start', { token: await user() });
    const browser = new Browser({ origin: stack.url, send: stack.send });
    const begin = await browser.open(String(started.json().authorizeUrl));
    const location = String(begin.headers.location);
    const jiraPage = new URL(location);
    expect(jiraPage.pathname).toMatch(/\/rest\/oauth2\/latest\/authorize$/);
    expect(jiraPage.searchParams.get('code_challenge_method')).toBe('S256');
    expect(jiraPage.searchParams.get('redirect_uri')).toBe(`${stack.url}/api/jira/oauth/callback`);
    const denied = await browser.open(stack.jira.denyOAuth2(location).callbackUrl);
    expect(denied.status).toBe(403);
    expect(denied.text).toContain('jira_authorization_denied');
    expect(await storedRow()).toBeUndefined();
  });
});
