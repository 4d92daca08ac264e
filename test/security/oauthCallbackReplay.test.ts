import { agent as stackAgent } from '../support/proxyStack';
import { startAppStack, type AppStack } from '../support/appStack';
import type { Reply } from '../support/proxyStack';

/**
 * The OAuth callback is anonymous: the pending request token is its only credential. It
 * can be completed once, by nobody but the Jira approval it belongs to, and binds the
 * access token to whoever *started* the authorization, never to whoever follows the link.
 * Each replay or forgery answers the dialog's error page, escapes everything and leaves
 * the stored authorization as it was.
 */

let stack: AppStack;

beforeAll(async () => {
  stack = await startAppStack({ queues: false });
  await stack.registerInstance('demo');
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await stackAgent.close();
});

/** Starts the dance as `token`'s user; answers the request token Jira handed out. */
async function start(token: string): Promise<string> {
  const reply = await stack.send('POST', '/api/jira/demo/oauth/start', { token });
  expect(reply.status).toBe(200);
  return new URL(String(reply.json().authorizeUrl)).searchParams.get('oauth_token') ?? '';
}

function follow(callbackUrl: string): Promise<Reply> {
  const url = new URL(callbackUrl);
  return stack.send('GET', `${url.pathname}${url.search}`);
}

const exchanges = () => stack.jira.requests.filter((request) => request.url.startsWith('/plugins/servlet/oauth/access-token')).length;
const storedFor = (userId: string) =>
  stack.services.repositories.jiraTokens.access.get({ tenantId: stack.users.tenantId, userId, instanceId: 'demo' });

describe('replayed and forged OAuth callbacks', () => {
  it('a replay after success: 400, one exchange with Jira, the stored token unchanged', async () => {
    const requestToken = await start(stack.tokens.user);
    const { callbackUrl, verifier } = stack.jira.approve(requestToken, 'alice');
    const exchangesBefore = exchanges();
    expect((await follow(callbackUrl)).status).toBe(200);
    const stored = await storedFor(stack.users.userId);
    for (let replay = 0; replay < 3; replay += 1) {
      const again = await follow(callbackUrl);
      expect(again.status).toBe(400);
      expect(again.text).toContain('oauth_request_token_invalid');
      for (const secret of [requestToken, verifier]) expect(again.text).not.toContain(secret);
    }
    expect(exchanges()).toBe(exchangesBefore + 1);
    expect(await storedFor(stack.users.userId)).toEqual(stored);
  });

  it('the same callback five times at once: exactly one wins, one exchange with Jira', async () => {
    const requestToken = await start(stack.tokens.colleague);
    const { callbackUrl } = stack.jira.approve(requestToken, 'bob');
    const exchangesBefore = exchanges();
    const answers = await Promise.all(Array.from({ length: 5 }, () => follow(callbackUrl)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400, 400, 400, 400]);
    expect(exchanges()).toBe(exchangesBefore + 1);
  });

  it('a verifier of another approval: refused by Jira, no token stored, and the request token is spent', async () => {
    const victimUser = await stack.mint({ tenantId: stack.users.tenantId, userId: '0d6a5c8e-1b1a-4c33-9d1e-000000000001' });
    const attackerUser = await stack.mint({ tenantId: stack.users.tenantId, userId: '0d6a5c8e-1b1a-4c33-9d1e-000000000002' });
    const victimToken = await start(victimUser);
    const attackerToken = await start(attackerUser);
    stack.jira.approve(victimToken, 'carol');
    const attackerApproval = stack.jira.approve(attackerToken, 'bob');
    const forged = new URL(`${stack.url}/api/jira/oauth/callback`);
    forged.searchParams.set('tenant', stack.users.tenantId);
    forged.searchParams.set('oauth_token', victimToken);
    forged.searchParams.set('oauth_verifier', attackerApproval.verifier);
    const refused = await follow(forged.toString());
    expect(refused.status).toBe(401);
    expect(refused.headers['content-type']).toContain('text/html');
    expect(await storedFor('0d6a5c8e-1b1a-4c33-9d1e-000000000001')).toBeUndefined();
    // One try per authorization: the victim starts again, nothing is left to guess at.
    const victimCallback = new URL(forged);
    victimCallback.searchParams.set('oauth_verifier', 'anything');
    expect((await follow(victimCallback.toString())).status).toBe(400);
  });

  it('a denied approval, then its replay', async () => {
    const requestToken = await start(stack.tokens.user);
    const { callbackUrl } = stack.jira.deny(requestToken);
    expect((await follow(callbackUrl)).status).toBe(403);
    expect((await follow(callbackUrl)).status).toBe(400);
  });

  it('login CSRF: a victim who follows the attacker’s callback gets nothing; the token is the starter’s', async () => {
    const attackerId = '0d6a5c8e-1b1a-4c33-9d1e-0000000000a1';
    const victimId = '0d6a5c8e-1b1a-4c33-9d1e-0000000000b2';
    const attacker = await stack.mint({ tenantId: stack.users.tenantId, userId: attackerId });
    const requestToken = await start(attacker);
    const { callbackUrl } = stack.jira.approve(requestToken, 'carol');
    // The victim's browser opens it (it carries no identity of the victim at all).
    expect((await follow(callbackUrl)).status).toBe(200);
    expect(await storedFor(victimId)).toBeUndefined();
    expect(await storedFor(attackerId)).toBeDefined();
    const victim = await stack.mint({ tenantId: stack.users.tenantId, userId: victimId });
    const proxied = await stack.send('GET', '/api/jira/demo/proxy/rest/api/2/myself', { token: victim });
    expect(proxied.json().code).toBe('jira_authorization_required');
  });

  // A wrong verifier reaches Jira (only Jira knows the right one), which refuses it; the
  // request token is spent by then. Anything else is refused before, and leaves it usable.
  it.each<[string, number, 'usable' | 'spent', (token: string) => Record<string, string | undefined>]>([
    ['a request token never issued', 400, 'usable', (token) => ({ oauth_token: `${token}x` })],
    ['no verifier', 400, 'usable', () => ({ oauth_verifier: undefined })],
    ['no tenant', 400, 'usable', () => ({ tenant: undefined })],
    ['a tenant that is not a GUID', 400, 'usable', () => ({ tenant: '../../instances' })],
    ['markup as the token', 400, 'usable', () => ({ oauth_token: '<img src=x onerror=alert(1)>' })],
    ['a 600-character token', 400, 'usable', () => ({ oauth_token: 'a'.repeat(600) })],
    ['markup as the verifier', 401, 'spent', () => ({ oauth_verifier: '"><script>alert(1)</script>' })],
  ])('%s: %d, an escaped page, the pending authorization %s', async (_name, status, after, change) => {
    const requestToken = await start(stack.tokens.user);
    const { callbackUrl } = stack.jira.approve(requestToken, 'alice');
    const forged = new URL(callbackUrl);
    for (const [name, value] of Object.entries(change(requestToken))) {
      if (value === undefined) forged.searchParams.delete(name);
      else forged.searchParams.set(name, value);
    }
    const refused = await follow(forged.toString());
    expect(refused.status).toBe(status);
    expect(refused.headers['content-type']).toContain('text/html');
    expect(String(refused.headers['content-security-policy'])).toContain("default-src 'none'");
    expect(refused.text).not.toMatch(/<script>alert|<img src=x/);
    expect(refused.text).not.toContain(requestToken);
    expect((await follow(callbackUrl)).status).toBe(after === 'usable' ? 200 : 400);
  });
});
