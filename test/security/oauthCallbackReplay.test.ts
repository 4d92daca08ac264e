import { agent as stackAgent } from '../support/proxyStack';
import { startAppStack, type AppStack } from '../support/appStack';
import { Browser } from '../support/browser';

/**
 * The OAuth callback is anonymous: the pending request token, and the cookie of the browser
 * that began the authorization (test/security/oauthConsentFixation.test.ts), are its only
 * credentials. It can be completed once, by nobody but the Jira approval it belongs to, in
 * that browser, and binds the access token to whoever *started* the authorization. Each
 * replay or forgery answers the dialog's error page, escapes everything and leaves the
 * stored authorization as it was.
 */

let stack: AppStack;

beforeAll(async () => {
  stack = await startAppStack({ queues: false });
  await stack.registerInstance('demo');
  await stack.registerInstance('demo2', { authKind: 'oauth2' });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await stackAgent.close();
});

/**
 * Starts the dance as `token`'s user and begins it in a browser of its own (the Office
 * dialog); answers that browser and the request token Jira handed out.
 */
async function start(token: string): Promise<{ browser: Browser; requestToken: string }> {
  const reply = await stack.send('POST', '/api/jira/demo/oauth/start', { token });
  expect(reply.status).toBe(200);
  const browser = new Browser({ origin: stack.url, send: stack.send });
  const begin = await browser.open(String(reply.json().authorizeUrl));
  expect(begin.status).toBe(302);
  return { browser, requestToken: new URL(String(begin.headers.location)).searchParams.get('oauth_token') ?? '' };
}

const exchanges = () => stack.jira.requests.filter((request) => request.url.startsWith('/plugins/servlet/oauth/access-token')).length;
const storedFor = (userId: string) =>
  stack.services.repositories.jiraTokens.access.get({ tenantId: stack.users.tenantId, userId, instanceId: 'demo' });

describe('replayed and forged OAuth callbacks', () => {
  it('a replay after success: 400, one exchange with Jira, the stored token unchanged', async () => {
    const { browser, requestToken } = await start(stack.tokens.user);
    const { callbackUrl, verifier } = stack.jira.approve(requestToken, 'alice');
    const exchangesBefore = exchanges();
    expect((await browser.open(callbackUrl)).status).toBe(200);
    const stored = await storedFor(stack.users.userId);
    for (let replay = 0; replay < 3; replay += 1) {
      const again = await browser.open(callbackUrl);
      expect(again.status).toBe(400);
      expect(again.text).toContain('oauth_request_token_invalid');
      for (const secret of [requestToken, verifier]) expect(again.text).not.toContain(secret);
    }
    expect(exchanges()).toBe(exchangesBefore + 1);
    expect(await storedFor(stack.users.userId)).toEqual(stored);
  });

  it('the same callback five times at once: exactly one wins, one exchange with Jira', async () => {
    const { browser, requestToken } = await start(stack.tokens.colleague);
    const { callbackUrl } = stack.jira.approve(requestToken, 'bob');
    const exchangesBefore = exchanges();
    const answers = await Promise.all(Array.from({ length: 5 }, () => browser.open(callbackUrl)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400, 400, 400, 400]);
    expect(exchanges()).toBe(exchangesBefore + 1);
  });

  it('a verifier of another approval, in the browser that began: refused by Jira, no token stored, and the request token is spent', async () => {
    const victimUser = await stack.mint({ tenantId: stack.users.tenantId, userId: '0d6a5c8e-1b1a-4c33-9d1e-000000000001' });
    const attackerUser = await stack.mint({ tenantId: stack.users.tenantId, userId: '0d6a5c8e-1b1a-4c33-9d1e-000000000002' });
    const victim = await start(victimUser);
    const attacker = await start(attackerUser);
    stack.jira.approve(victim.requestToken, 'carol');
    const attackerApproval = stack.jira.approve(attacker.requestToken, 'bob');
    const forged = new URL(`${stack.url}/api/jira/oauth/callback`);
    forged.searchParams.set('tenant', stack.users.tenantId);
    forged.searchParams.set('oauth_token', victim.requestToken);
    forged.searchParams.set('oauth_verifier', attackerApproval.verifier);
    // Planted in the victim's own browser (which holds the binding cookie): only Jira can tell.
    const refused = await victim.browser.open(forged.toString());
    expect(refused.status).toBe(401);
    expect(refused.headers['content-type']).toContain('text/html');
    expect(await storedFor('0d6a5c8e-1b1a-4c33-9d1e-000000000001')).toBeUndefined();
    // One try per authorization: the victim starts again, nothing is left to guess at.
    const victimCallback = new URL(forged);
    victimCallback.searchParams.set('oauth_verifier', 'anything');
    expect((await victim.browser.open(victimCallback.toString())).status).toBe(400);
  });

  it('a denied approval, then its replay', async () => {
    const { browser, requestToken } = await start(stack.tokens.user);
    const { callbackUrl } = stack.jira.deny(requestToken);
    expect((await browser.open(callbackUrl)).status).toBe(403);
    expect((await browser.open(callbackUrl)).status).toBe(400);
  });

  it('login CSRF: a victim who follows the attacker’s callback gets nothing, and neither does the attacker', async () => {
    const attackerId = '0d6a5c8e-1b1a-4c33-9d1e-0000000000a1';
    const victimId = '0d6a5c8e-1b1a-4c33-9d1e-0000000000b2';
    const attacker = await stack.mint({ tenantId: stack.users.tenantId, userId: attackerId });
    const { requestToken } = await start(attacker);
    const { callbackUrl } = stack.jira.approve(requestToken, 'carol');
    // The victim's browser opens it: it never began this authorization, so it holds no binding.
    const victimBrowser = new Browser({ origin: stack.url, send: stack.send });
    const refused = await victimBrowser.open(callbackUrl);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('oauth_browser_mismatch');
    expect(await storedFor(victimId)).toBeUndefined();
    // Nor is carol's token stored under the attacker's account: the consent did not happen where it began.
    expect(await storedFor(attackerId)).toBeUndefined();
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
    const { browser, requestToken } = await start(stack.tokens.user);
    const { callbackUrl } = stack.jira.approve(requestToken, 'alice');
    const forged = new URL(callbackUrl);
    for (const [name, value] of Object.entries(change(requestToken))) {
      if (value === undefined) forged.searchParams.delete(name);
      else forged.searchParams.set(name, value);
    }
    const refused = await browser.open(forged.toString());
    expect(refused.status).toBe(status);
    expect(refused.headers['content-type']).toContain('text/html');
    expect(String(refused.headers['content-security-policy'])).toContain("default-src 'none'");
    expect(refused.text).not.toMatch(/<script>alert|<img src=x/);
    expect(refused.text).not.toContain(requestToken);
    expect((await browser.open(callbackUrl)).status).toBe(after === 'usable' ? 200 : 400);
  });
});

/**
 * The same for an OAuth 2.0 instance: the `state` takes the request token's place (single
 * use, bound to the browser that began), and Jira's authorization code is single use too.
 */
describe('replayed and forged OAuth 2.0 callbacks', () => {
  async function startOAuth2(token: string): Promise<{ browser: Browser; authorizePage: string }> {
    const reply = await stack.send('POST', '/api/jira/demo2/oauth/start', { token });
    expect(reply.status).toBe(200);
    const browser = new Browser({ origin: stack.url, send: stack.send });
    const begin = await browser.open(String(reply.json().authorizeUrl));
    expect(begin.status).toBe(302);
    return { browser, authorizePage: String(begin.headers.location) };
  }
  const codeExchanges = () => stack.jira.requests.filter((request) => request.url.startsWith('/rest/oauth2/latest/token')).length;
  const storedOAuth2For = (userId: string) =>
    stack.services.repositories.jiraTokens.access.get({ tenantId: stack.users.tenantId, userId, instanceId: 'demo2' });

  it('a replay after success: 400, one code exchange with Jira, the stored grant unchanged', async () => {
    const { browser, authorizePage } = await startOAuth2(stack.tokens.user);
    const { callbackUrl } = stack.jira.approveOAuth2(authorizePage, 'alice');
    const before = codeExchanges();
    expect((await browser.open(callbackUrl)).status).toBe(200);
    const stored = await storedOAuth2For(stack.users.userId);
    expect(stored?.tokenKind).toBe('oauth2');
    const code = new URL(callbackUrl).searchParams.get('code') ?? '';
    for (let replay = 0; replay < 3; replay += 1) {
      const again = await browser.open(callbackUrl);
      expect(again.status).toBe(400);
      expect(again.text).toContain('oauth_request_token_invalid');
      expect(again.text).not.toContain(code);
    }
    expect(codeExchanges()).toBe(before + 1);
    expect(await storedOAuth2For(stack.users.userId)).toEqual(stored);
  });

  it('the same callback five times at once: exactly one wins, one code exchange', async () => {
    const { browser, authorizePage } = await startOAuth2(stack.tokens.colleague);
    const { callbackUrl } = stack.jira.approveOAuth2(authorizePage, 'bob');
    const before = codeExchanges();
    const answers = await Promise.all(Array.from({ length: 5 }, () => browser.open(callbackUrl)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400, 400, 400, 400]);
    expect(codeExchanges()).toBe(before + 1);
  });

  it('a state from another browser (login CSRF): 400 oauth_browser_mismatch, no grant for anyone, the code never exchanged', async () => {
    const attackerId = '0d6a5c8e-1b1a-4c33-9d1e-0000000000c1';
    const victimId = '0d6a5c8e-1b1a-4c33-9d1e-0000000000d2';
    const { authorizePage } = await startOAuth2(await stack.mint({ tenantId: stack.users.tenantId, userId: attackerId }));
    const { callbackUrl } = stack.jira.approveOAuth2(authorizePage, 'carol');
    const before = codeExchanges();
    const victimBrowser = new Browser({ origin: stack.url, send: stack.send });
    const refused = await victimBrowser.open(callbackUrl);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('oauth_browser_mismatch');
    expect(codeExchanges()).toBe(before);
    expect(await storedOAuth2For(victimId)).toBeUndefined();
    expect(await storedOAuth2For(attackerId)).toBeUndefined();
  });

  it('a code of another approval in the browser that began: Jira refuses it (PKCE and client bind the code), nothing stored', async () => {
    const victimId = '0d6a5c8e-1b1a-4c33-9d1e-0000000000e1';
    const victim = await startOAuth2(await stack.mint({ tenantId: stack.users.tenantId, userId: victimId }));
    const attacker = await startOAuth2(
      await stack.mint({ tenantId: stack.users.tenantId, userId: '0d6a5c8e-1b1a-4c33-9d1e-0000000000e2' }),
    );
    const victimApproval = new URL(stack.jira.approveOAuth2(victim.authorizePage, 'carol').callbackUrl);
    const attackerApproval = new URL(stack.jira.approveOAuth2(attacker.authorizePage, 'bob').callbackUrl);
    victimApproval.searchParams.set('code', attackerApproval.searchParams.get('code') ?? '');
    const refused = await victim.browser.open(victimApproval.toString());
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('oauth_request_token_invalid');
    expect(await storedOAuth2For(victimId)).toBeUndefined();
  });

  it.each<[string, Record<string, string | undefined>]>([
    ['a state never issued', { state: 'dGVuYW50.' + 'A'.repeat(43) }],
    ['markup as the state', { state: '<img src=x onerror=alert(1)>' }],
    ['no state', { state: undefined }],
  ])('%s: 400, an escaped page, the authorization still usable', async (_name, change) => {
    const { browser, authorizePage } = await startOAuth2(stack.tokens.user);
    const { callbackUrl } = stack.jira.approveOAuth2(authorizePage, 'alice');
    const forged = new URL(callbackUrl);
    for (const [name, value] of Object.entries(change)) {
      if (value === undefined) forged.searchParams.delete(name);
      else forged.searchParams.set(name, value);
    }
    const refused = await browser.open(forged.toString());
    expect(refused.status).toBe(400);
    expect(refused.headers['content-type']).toContain('text/html');
    expect(refused.text).not.toMatch(/<img src=x/);
    expect((await browser.open(callbackUrl)).status).toBe(200);
  });
});
