import { type Browser } from 'playwright-core';
import { agent as stackAgent } from '../support/proxyStack';
import { startAppStack, type AppStack } from '../support/appStack';
import { waitFor } from '../support/fanoutStack';
import { describeInChromium, launchChromium } from '../support/chromium';

/**
 * The OAuth dance in a real browser (Debian's Chromium, headless): what the cookie jar of
 * test/support/browser.ts assumes, a browser does. The begin URL's cookie is `Secure`
 * while the local host is plain http on 127.0.0.1, which browsers treat as a secure
 * context; it comes back on Jira's redirect to the callback, and only there. The simulated
 * Jira's authorize page approves at once as its first user (alice) and redirects, as
 * Jira does after "Allow".
 */

let stack: AppStack;
let browser: Browser;

describeInChromium('the OAuth dance in a browser', (executable) => {
  beforeAll(async () => {
    stack = await startAppStack({ queues: false });
    await stack.registerInstance('demo');
    await stack.registerInstance('demo2', { authKind: 'oauth2' });
    browser = await launchChromium(executable);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await stackAgent.close();
  });

  async function start(userToken: string, instanceId = 'demo'): Promise<string> {
    const reply = await stack.send('POST', `/api/jira/${instanceId}/oauth/start`, { token: userToken });
    expect(reply.status).toBe(200);
    return String(reply.json().authorizeUrl);
  }

  const storedFor = (userId: string) =>
    stack.services.repositories.jiraTokens.access.get({ tenantId: stack.users.tenantId, userId, instanceId: 'demo' });

  // The page loads office.js from Microsoft's CDN; nothing here needs it, so it is answered empty.
  async function newPage(context: Awaited<ReturnType<Browser['newContext']>>) {
    await context.route('https://appsforoffice.microsoft.com/**', (route) => route.fulfill({ status: 200, body: '' }));
    return context.newPage();
  }

  describe('the OAuth dance in headless Chromium', () => {
    it('the dialog that began it completes it: connected as alice, the cookie gone afterwards', async () => {
      const context = await browser.newContext();
      try {
        const page = await newPage(context);
        const callback = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/jira/oauth/callback');
        await page.goto(await start(stack.tokens.user));
        expect((await callback).status()).toBe(200);
        expect(await page.title()).toBe('Jira is connected');
        expect(await page.textContent('p')).toContain('as the Jira user Alice Example (alice)');
        expect(await context.cookies()).toEqual([]);
        expect(await storedFor(stack.users.userId)).toMatchObject({ jiraUserName: 'alice' });
      } finally {
        await context.close();
      }
    }, 60_000);

    it('OAuth 2.0: the dialog goes through Jira with PKCE and the state, the cookie comes back, connected as alice', async () => {
      const context = await browser.newContext();
      try {
        const page = await newPage(context);
        const atJira = page.waitForRequest((request) => new URL(request.url()).pathname === '/rest/oauth2/latest/authorize');
        const callback = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/jira/oauth/callback');
        await page.goto(await start(stack.tokens.user, 'demo2'));
        const jiraPage = new URL((await atJira).url());
        expect(jiraPage.searchParams.get('code_challenge_method')).toBe('S256');
        expect((await callback).status()).toBe(200);
        expect(await page.title()).toBe('Jira is connected');
        expect(await context.cookies()).toEqual([]);
        expect(
          await stack.services.repositories.jiraTokens.access.get({
            tenantId: stack.users.tenantId,
            userId: stack.users.userId,
            instanceId: 'demo2',
          }),
        ).toMatchObject({ tokenKind: 'oauth2', jiraUserName: 'alice' });
      } finally {
        await context.close();
      }
    }, 60_000);

    it("Jira's authorize link opened in another browser: refused there, nothing stored", async () => {
      const dialog = await browser.newContext();
      const other = await browser.newContext();
      try {
        // The dialog opens the begin URL; Jira's page is held unanswered, so its link is all the
        // dialog gets to see, and that link is what gets forwarded.
        const authorizePath = '/plugins/servlet/oauth/authorize';
        stack.jira.stall(authorizePath);
        const authorizeRequests = () => stack.jira.requests.filter((request) => request.url.startsWith(authorizePath)).length;
        const heldBefore = authorizeRequests();
        const dialogPage = await newPage(dialog);
        const atJira = dialogPage.waitForRequest((request) => new URL(request.url()).pathname === authorizePath);
        const authorizeUrl = await start(stack.tokens.colleague);
        void dialogPage.goto(authorizeUrl).catch(() => undefined);
        const jiraLink = (await atJira).url();
        // Held only once the simulator has it: lifting the hold earlier would let it through.
        await waitFor(() => (authorizeRequests() > heldBefore ? true : undefined), 'Jira to hold the page');
        stack.jira.state.stalls.delete(authorizePath);
        expect(jiraLink).toContain(`${authorizePath}?oauth_token=`);
        const bound = await dialog.cookies();
        expect(bound).toHaveLength(1);
        expect(bound[0]).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/api/jira/oauth/callback' });

        const otherPage = await newPage(other);
        const callback = otherPage.waitForResponse((response) => new URL(response.url()).pathname === '/api/jira/oauth/callback');
        await otherPage.goto(`${jiraLink}&user=bob`);
        expect((await callback).status()).toBe(400);
        expect(await otherPage.title()).toBe('Jira could not be connected');
        expect(await storedFor(stack.users.colleagueId)).toBeUndefined();
      } finally {
        await dialog.close();
        await other.close();
      }
    }, 60_000);
  });
});
