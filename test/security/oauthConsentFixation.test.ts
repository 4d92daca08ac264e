import { agent as stackAgent } from '../support/proxyStack';
import { startAppStack, type AppStack } from '../support/appStack';
import { Browser, runConsent } from '../support/browser';

/**
 * OAuth 1.0a consent fixation. A user who starts the dance could send Jira's "Allow" link to
 * someone else; whoever clicks Allow there would have *their* Jira access token stored under
 * the starter's account, and the starter would then act in Jira as them. An access token is
 * stored only when the browser that completes the consent is the one that began it: the
 * Office dialog opens our one-time begin URL, which binds that browser (a cookie for the
 * callback only) to the request token, and the callback requires the binding. Any other
 * browser gets a 400 page, and the request token is burned.
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

const newBrowser = () => new Browser({ origin: stack.url, send: stack.send });
const CALLBACK_PATH = '/api/jira/oauth/callback';

async function start(token: string): Promise<string> {
  const reply = await stack.send('POST', '/api/jira/demo/oauth/start', { token });
  expect(reply.status).toBe(200);
  return String(reply.json().authorizeUrl);
}

async function freshUser(suffix: string): Promise<{ id: string; token: string }> {
  const id = `6f1c2d3e-4b5a-4c6d-8e7f-${suffix.padStart(12, '0')}`;
  return { id, token: await stack.mint({ tenantId: stack.users.tenantId, userId: id }) };
}

const exchanges = () => stack.jira.requests.filter((request) => request.url.startsWith('/plugins/servlet/oauth/access-token')).length;
const storedFor = (userId: string) =>
  stack.services.repositories.jiraTokens.access.get({ tenantId: stack.users.tenantId, userId, instanceId: 'demo' });

/** The message the callback page hands the Office dialog's parent. */
function dialogMessage(html: string): Record<string, unknown> {
  const json = /<script type="application\/json" id="outcome">([^<]*)<\/script>/.exec(html)?.[1];
  if (json === undefined) throw new Error('the page carries no outcome');
  return JSON.parse(json) as Record<string, unknown>;
}

describe('the consent completed in another browser', () => {
  it("Jira's Allow link forwarded: the other person's consent is refused, nothing stored, the request token burned", async () => {
    const starter = await freshUser('1');
    await start(starter.token);
    // What the starter forwards: Jira's authorize page for the request token just handed out.
    const requestToken = stack.jira.requestTokens().at(-1) ?? '';
    const victim = newBrowser();
    const { callbackUrl } = stack.jira.approve(requestToken, 'bob');
    const exchangesBefore = exchanges();
    const refused = await victim.open(callbackUrl);
    expect(refused.status).toBe(400);
    expect(refused.headers['content-type']).toContain('text/html');
    expect(refused.text).toContain('oauth_browser_mismatch');
    expect(await storedFor(starter.id)).toBeUndefined();
    // Refused before the exchange: Jira never issued an access token for bob's consent.
    expect(exchanges()).toBe(exchangesBefore);
  });

  it("the starter's own dialog began it, then forwarded Jira's link: still refused, and the starter cannot finish it later", async () => {
    const starter = await freshUser('2');
    const dialog = newBrowser();
    const begin = await dialog.open(await start(starter.token));
    expect(begin.status).toBe(302);
    const jiraLink = String(begin.headers.location);
    const requestToken = new URL(jiraLink).searchParams.get('oauth_token') ?? '';

    const victim = newBrowser();
    const { callbackUrl } = stack.jira.approve(requestToken, 'bob');
    const refused = await victim.open(callbackUrl);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('oauth_browser_mismatch');
    expect(await storedFor(starter.id)).toBeUndefined();
    // Burned: the starter's browser, cookie and all, cannot use the approval now.
    const late = await dialog.open(callbackUrl);
    expect(late.status).toBe(400);
    expect(late.text).toContain('oauth_request_token_invalid');
    expect(await storedFor(starter.id)).toBeUndefined();
  });

  it('an unopened begin URL forwarded: it is single use, so the starter cannot also use it', async () => {
    const starter = await freshUser('3');
    const authorizeUrl = await start(starter.token);
    const first = newBrowser();
    expect((await first.open(authorizeUrl)).status).toBe(302);
    const second = newBrowser();
    const again = await second.open(authorizeUrl);
    expect(again.status).toBe(400);
    expect(again.headers['content-type']).toContain('text/html');
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(second.cookiesFor(stack.url)).toEqual([]);
  });

  it("another dance's cookie value under this dance's name: refused and burned", async () => {
    const victimUser = await freshUser('4');
    const attackerUser = await freshUser('5');
    const victim = newBrowser();
    const attacker = newBrowser();
    const victimBegin = await victim.open(await start(victimUser.token));
    await attacker.open(await start(attackerUser.token));
    const victimToken = new URL(String(victimBegin.headers.location)).searchParams.get('oauth_token') ?? '';
    const [victimCookie] = victim.cookiesFor(stack.url);
    const [attackerCookie] = attacker.cookiesFor(stack.url);
    expect(victimCookie?.name).not.toBe(attackerCookie?.name);
    const { callbackUrl } = stack.jira.approve(victimToken, 'carol');
    const url = new URL(callbackUrl);
    const forged = await stack.send('GET', `${url.pathname}${url.search}`, {
      headers: { cookie: `${victimCookie?.name}=${attackerCookie?.value}` },
    });
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('oauth_browser_mismatch');
    expect((await victim.open(callbackUrl)).status).toBe(400);
    expect(await storedFor(victimUser.id)).toBeUndefined();
  });
});

describe('the consent completed in the browser that began it', () => {
  it('the begin URL binds the browser with a cookie only the callback gets, and redirects to Jira', async () => {
    const user = await freshUser('6');
    const dialog = newBrowser();
    const authorizeUrl = await start(user.token);
    expect(new URL(authorizeUrl).origin).toBe(stack.url);
    expect(authorizeUrl).not.toContain('oauth_token');
    const begin = await dialog.open(authorizeUrl);
    expect(begin.status).toBe(302);
    const location = new URL(String(begin.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe(`${stack.jira.url}/plugins/servlet/oauth/authorize`);
    expect(begin.headers['cache-control']).toBe('no-store');
    expect(begin.headers['referrer-policy']).toBe('no-referrer');
    const cookies = dialog.cookiesFor(stack.url);
    expect(cookies).toHaveLength(1);
    const [cookie] = cookies;
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: CALLBACK_PATH });
    expect(cookie?.domain).toBeUndefined();
    expect(cookie?.maxAge).toBeGreaterThan(0);
    expect(cookie?.maxAge).toBeLessThanOrEqual(600);
    const requestToken = location.searchParams.get('oauth_token') ?? '';
    expect(`${cookie?.name}=${cookie?.value}`).not.toContain(requestToken);
  });

  it('stores the token with the Jira user it belongs to, shows that user, and clears the cookie', async () => {
    const user = await freshUser('7');
    const dialog = newBrowser();
    const { callback } = await runConsent(dialog, await start(user.token), stack.jira, 'alice');
    expect(callback.status).toBe(200);
    expect(callback.text).toContain('Alice Example');
    expect(callback.text).toContain('alice');
    expect(dialogMessage(callback.text)).toEqual({
      type: 'jira-authorization',
      status: 'authorized',
      instanceId: 'demo',
      jiraUser: { name: 'alice', displayName: 'Alice Example' },
    });
    expect(await storedFor(user.id)).toMatchObject({ jiraUserName: 'alice', jiraDisplayName: 'Alice Example' });
    expect(dialog.cookiesFor(stack.url)).toEqual([]);
    const proxied = await stack.send('GET', '/api/jira/demo/proxy/rest/api/2/myself', { token: user.token });
    expect(proxied.json().name).toBe('alice');
  });

  it('two dances at once in one browser (two instances) do not disturb each other', async () => {
    const view = await stack.registerInstance('second');
    expect(view.instanceId).toBe('second');
    const user = await freshUser('8');
    const dialog = newBrowser();
    const first = await start(user.token);
    const secondReply = await stack.send('POST', '/api/jira/second/oauth/start', { token: user.token });
    const beginFirst = await dialog.open(first);
    const beginSecond = await dialog.open(String(secondReply.json().authorizeUrl));
    expect(dialog.cookiesFor(stack.url)).toHaveLength(2);
    for (const [begin, jiraUser] of [
      [beginSecond, 'bob'],
      [beginFirst, 'alice'],
    ] as const) {
      const token = new URL(String(begin.headers.location)).searchParams.get('oauth_token') ?? '';
      expect((await dialog.open(stack.jira.approve(token, jiraUser).callbackUrl)).status).toBe(200);
    }
    expect(await storedFor(user.id)).toMatchObject({ jiraUserName: 'alice' });
  });
});

/**
 * OAuth 2.0 (issue 17): the same binding, with the `state` in the request token's place.
 * Jira's consent link forwarded after the starter's dialog began it is refused in the
 * other browser, before any code exchange, and the state is spent for the starter too.
 */
describe('OAuth 2.0: the consent completed in another browser', () => {
  const codeExchanges = () => stack.jira.requests.filter((request) => request.url.startsWith('/rest/oauth2/latest/token')).length;

  it("Jira's consent link forwarded: refused in the other browser, no code exchanged, nothing stored, the state spent", async () => {
    const starter = await freshUser('21');
    const dialog = newBrowser();
    const reply = await stack.send('POST', '/api/jira/demo2/oauth/start', { token: starter.token });
    const begin = await dialog.open(String(reply.json().authorizeUrl));
    expect(begin.status).toBe(302);
    const { callbackUrl } = stack.jira.approveOAuth2(String(begin.headers.location), 'bob');
    const before = codeExchanges();
    const refused = await newBrowser().open(callbackUrl);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('oauth_browser_mismatch');
    expect(codeExchanges()).toBe(before);
    expect(
      await stack.services.repositories.jiraTokens.access.get({ tenantId: stack.users.tenantId, userId: starter.id, instanceId: 'demo2' }),
    ).toBeUndefined();
    expect((await dialog.open(callbackUrl)).status).toBe(400);
  });

  it('the begin URL opened by a second browser: 400, and only the first is sent to Jira', async () => {
    const starter = await freshUser('22');
    const reply = await stack.send('POST', '/api/jira/demo2/oauth/start', { token: starter.token });
    const beginUrl = String(reply.json().authorizeUrl);
    const first = await newBrowser().open(beginUrl);
    expect(first.status).toBe(302);
    expect(new URL(String(first.headers.location)).pathname).toMatch(/\/rest\/oauth2\/latest\/authorize$/);
    expect((await newBrowser().open(beginUrl)).status).toBe(400);
  });
});
