import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type Page } from 'playwright-core';
import { ADDIN_ORIGIN } from '../support/proxyStack';
import { startAppStack, type AppStack } from '../support/appStack';
import { waitFor } from '../support/fanoutStack';
import { describeInChromium, launchChromium } from '../support/chromium';
import { Browser as CookieBrowser, runConsent } from '../support/browser';

/**
 * The add-in as Outlook on the web and the new Outlook run it: a page in a browser calling
 * the app on another origin with `fetch` and a bearer header, so every call is preflighted.
 * Debian's Chromium, headless, driven by playwright-core; the whole app on the local host.
 * A page of an allowed origin reads every answer, errors included; a page of another
 * origin gets nothing, and the app does nothing for it beyond answering the preflight.
 */
const STEP_TIMEOUT_MS = 180_000;
const CONVERSATION = 'AAQkADAwATM0MDAAMS1iZjUwLTAwAC0wMAoAEABrowser-cors=';

/** What a page's `fetch` gave it: an answer it may read, or the error it threw. */
type PageReply =
  | { kind: 'answer'; status: number; contentType: string | null; body: Record<string, unknown> | null }
  | { kind: 'error'; name: string; message: string };

interface PageCall {
  method: string;
  path: string;
  token: string;
  json?: unknown;
}

let stack: AppStack;
let browser: Browser;
const pageServers: http.Server[] = [];
let allowedUrl: string;
let strangerUrl: string;

/** A loopback server answering every path with an empty page: an origin the add-in's pages could come from. */
async function startPageServer(title: string): Promise<string> {
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>${title}</title><p>${title}</p>`);
  });
  pageServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** `fetch` from inside the page, as the add-in calls the app: `Authorization: Bearer …`, JSON bodies. */
function callFromPage(page: Page, call: PageCall): Promise<PageReply> {
  return page.evaluate(
    async ({ url, method, token, json }) => {
      const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
      if (json !== undefined) headers['Content-Type'] = 'application/json';
      try {
        const response = await fetch(url, { method, headers, ...(json === undefined ? {} : { body: JSON.stringify(json) }) });
        const text = await response.text();
        return {
          kind: 'answer' as const,
          status: response.status,
          contentType: response.headers.get('content-type'),
          body: text === '' ? null : (JSON.parse(text) as Record<string, unknown>),
        };
      } catch (error) {
        return {
          kind: 'error' as const,
          name: error instanceof Error ? error.name : typeof error,
          message: error instanceof Error ? error.message : String(error),
        };
      }
    },
    { url: `${stack.url}${call.path}`, method: call.method, token: call.token, json: call.json },
  );
}

function answer(reply: PageReply): Extract<PageReply, { kind: 'answer' }> {
  if (reply.kind !== 'answer') throw new Error(`the page got no answer: ${reply.name}: ${reply.message}`);
  return reply;
}

/** The local host's one line per request (`info METHOD function status …`) from `from` on. */
function hostLines(from: number): string[] {
  return stack.log.lines.slice(from).filter((line) => /^info [A-Z]+ \S+ \d{3} /.test(line));
}

describeInChromium('the add-in in a browser', (executable) => {
  beforeAll(async () => {
    allowedUrl = await startPageServer('The add-in');
    strangerUrl = await startPageServer('Somewhere else');
    stack = await startAppStack({ queues: false, env: { ALLOWED_ORIGINS: `${ADDIN_ORIGIN},${allowedUrl}` } });
    await stack.registerInstance('demo');
    browser = await launchChromium(executable);
  }, STEP_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    for (const server of pageServers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await stack?.stop();
  });

  describe('the add-in’s calls from a page in headless Chromium', () => {
    it(
      'from an allowed origin: every route the add-in calls answers the page, errors included',
      async () => {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(`${allowedUrl}/taskpane.html`);
        const logFrom = stack.log.lines.length;
        const { user } = stack.tokens;

        const license = answer(await callFromPage(page, { method: 'GET', path: '/api/licenses/demo', token: user }));
        expect(license.status).toBe(200);
        expect(license.body).toMatchObject({ licensed: true, status: 'active' });

        // Not authorized in Jira yet: the page can read why, and where to start.
        const unauthorized = answer(
          await callFromPage(page, { method: 'GET', path: '/api/jira/demo/proxy/rest/api/2/myself', token: user }),
        );
        expect(unauthorized.status).toBe(401);
        expect(unauthorized.contentType).toBe('application/problem+json');
        expect(unauthorized.body).toMatchObject({
          code: 'jira_authorization_required',
          startUrl: `${stack.url}/api/jira/demo/oauth/start`,
        });

        const started = answer(await callFromPage(page, { method: 'POST', path: '/api/jira/demo/oauth/start', token: user }));
        expect(started.status).toBe(200);
        const authorizeUrl = String(started.body?.authorizeUrl);
        expect(new URL(authorizeUrl).origin).toBe(stack.url);
        // The Office dialog's part: our begin URL, "Allow" in Jira, and Jira's redirect to the app's callback.
        const { callback } = await runConsent(
          new CookieBrowser({ origin: stack.url, send: stack.send }),
          authorizeUrl,
          stack.jira,
          'alice',
        );
        expect(callback.status).toBe(200);

        const myself = answer(await callFromPage(page, { method: 'GET', path: '/api/jira/demo/proxy/rest/api/2/myself', token: user }));
        expect(myself.status).toBe(200);
        expect(myself.body).toMatchObject({ name: 'alice' });
        const search = answer(
          await callFromPage(page, {
            method: 'POST',
            path: '/api/jira/demo/proxy/rest/api/2/search',
            token: user,
            json: { jql: 'project = DEMO' },
          }),
        );
        expect(search.status).toBe(200);
        expect(search.body).toMatchObject({ total: 3 });

        const link = { conversationId: CONVERSATION, instanceId: 'demo', issueKey: 'DEMO-1' };
        const linked = answer(await callFromPage(page, { method: 'POST', path: '/api/links', token: user, json: link }));
        expect(linked.status).toBe(201);
        expect(linked.body).toMatchObject({ issueKey: 'DEMO-1' });
        const query = `conversationId=${encodeURIComponent(CONVERSATION)}`;
        const listed = answer(await callFromPage(page, { method: 'GET', path: `/api/links?${query}`, token: user }));
        expect(listed.status).toBe(200);
        expect(listed.body?.items).toEqual([expect.objectContaining({ issueKey: 'DEMO-1' })]);
        const removed = answer(
          await callFromPage(page, { method: 'DELETE', path: `/api/links?${query}&instanceId=demo&issueKey=DEMO-1`, token: user }),
        );
        expect(removed.status).toBe(204);

        // The browser preflighted for real: every route answered OPTIONS before the call itself.
        const lines = hostLines(logFrom);
        for (const name of ['licenseCheck', 'jiraProxy', 'jiraOAuthStart', 'links'])
          expect(lines.filter((line) => line.startsWith(`info OPTIONS ${name} 204 `)).length).toBeGreaterThan(0);
        await context.close();
      },
      STEP_TIMEOUT_MS,
    );

    it(
      'from another origin: fetch fails on every route, and the app does nothing beyond the preflight',
      async () => {
        // A colleague authorized in Jira with a link: had the browser let the calls through, each would have done its work.
        const { colleague } = stack.tokens;
        expect((await stack.authorize(colleague, 'demo', 'bob')).status).toBe(200);
        const existing = { conversationId: `${CONVERSATION}-existing`, instanceId: 'demo', issueKey: 'DEMO-2' };
        expect((await stack.link(colleague, existing)).status).toBe(201);

        const context = await browser.newContext();
        const page = await context.newPage();
        const refusals: string[] = [];
        page.on('console', (message) => {
          if (message.text().includes('blocked by CORS policy')) refusals.push(message.text());
        });
        await page.goto(`${strangerUrl}/taskpane.html`);
        const logFrom = stack.log.lines.length;
        const jiraRequests = stack.jira.requests.length;
        const requestTokens = stack.jira.requestTokens().length;
        const graphRequests = stack.graph.state.graphRequests.length;
        const subscriptions = stack.graph.state.subscriptions.size;

        const existingQuery = `conversationId=${encodeURIComponent(existing.conversationId)}`;
        const calls: PageCall[] = [
          { method: 'GET', path: '/api/licenses/demo', token: colleague },
          { method: 'GET', path: '/api/jira/demo/proxy/rest/api/2/myself', token: colleague },
          { method: 'POST', path: '/api/jira/demo/proxy/rest/api/2/search', token: colleague, json: { jql: 'project = DEMO' } },
          { method: 'POST', path: '/api/jira/demo/oauth/start', token: colleague },
          {
            method: 'POST',
            path: '/api/links',
            token: colleague,
            json: { conversationId: `${CONVERSATION}-stranger`, instanceId: 'demo', issueKey: 'DEMO-3' },
          },
          { method: 'GET', path: `/api/links?${existingQuery}`, token: colleague },
          { method: 'DELETE', path: `/api/links?${existingQuery}&instanceId=demo&issueKey=DEMO-2`, token: colleague },
        ];
        for (const call of calls) {
          const reply = await callFromPage(page, call);
          expect({ call: `${call.method} ${call.path}`, ...reply }).toMatchObject({ kind: 'error', name: 'TypeError' });
        }

        // The browser says why, once per call: the preflight granted nothing.
        await waitFor(() => (refusals.length >= calls.length ? true : undefined), 'the browser to report every CORS refusal', 10_000);
        for (const call of calls) expect(refusals.some((text) => text.includes(`${stack.url}${call.path}`))).toBe(true);

        // The app answered preflights, and nothing else reached a function.
        const lines = hostLines(logFrom);
        expect(lines.length).toBeGreaterThan(0);
        expect(lines.filter((line) => !line.startsWith('info OPTIONS '))).toEqual([]);
        // No Jira call (proxy, license, request token), no Graph call, no link made or removed.
        expect(stack.jira.requests.length).toBe(jiraRequests);
        expect(stack.jira.requestTokens().length).toBe(requestTokens);
        expect(stack.graph.state.graphRequests.length).toBe(graphRequests);
        expect(stack.graph.state.subscriptions.size).toBe(subscriptions);
        const links = async (conversationId: string) =>
          (await stack.send('GET', `/api/links?conversationId=${encodeURIComponent(conversationId)}`, { token: colleague })).json().items;
        expect(await links(existing.conversationId)).toEqual([expect.objectContaining({ issueKey: 'DEMO-2' })]);
        expect(await links(`${CONVERSATION}-stranger`)).toEqual([]);
        await context.close();
      },
      STEP_TIMEOUT_MS,
    );
  });
});
