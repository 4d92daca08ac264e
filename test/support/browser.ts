import type { JiraSimulator } from '../../dev/sandbox/jira/startJiraSimulator';
import type { Dispatcher } from 'undici';
import { parseCookie, type Cookie } from 'undici';
import { agent, type Reply } from './proxyStack';

/** Sends a request to the app, its path as given (`AppStack.send`, or `send` bound to a host). */
export type AppSend = (
  method: Dispatcher.HttpMethod,
  path: string,
  options?: { token?: string; headers?: Record<string, string> },
) => Promise<Reply>;

interface StoredCookie {
  cookie: Cookie;
  /** The origin that set it: a cookie goes back only there (host-only cookies; the app sets no Domain). */
  origin: string;
  path: string;
}

/**
 * One browser (an Office dialog, or someone else's browser) for the OAuth dance: its own
 * cookie jar, no redirects followed on its own. URLs on the app's public origin go to the
 * app's host (the public origin may be `https://` while the test host is plain http on
 * loopback, as a browser treats localhost as a secure context either way); others go out
 * as they are (the Jira simulator).
 */
export class Browser {
  private readonly cookies: StoredCookie[] = [];

  constructor(
    private readonly app: { origin: string; send: AppSend },
    private readonly now: () => number = Date.now,
  ) {}

  async open(url: string): Promise<Reply> {
    const target = new URL(url);
    const cookie = this.cookieHeader(target);
    const headers: Record<string, string> = cookie === '' ? {} : { cookie };
    let reply: Reply;
    if (target.origin === this.app.origin) {
      reply = await this.app.send('GET', `${target.pathname}${target.search}`, { headers });
    } else {
      const response = await agent.request({ origin: target.origin, method: 'GET', path: `${target.pathname}${target.search}`, headers });
      const text = await response.body.text();
      reply = { status: response.statusCode, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
    }
    this.store(target, reply.headers['set-cookie']);
    return reply;
  }

  /** The cookies this browser holds for the app, as set (attributes included). */
  cookiesFor(origin: string): Cookie[] {
    return this.live()
      .filter((stored) => stored.origin === origin)
      .map((stored) => stored.cookie);
  }

  private cookieHeader(target: URL): string {
    return this.live()
      .filter((stored) => stored.origin === target.origin && pathMatches(target.pathname, stored.path))
      .map((stored) => `${stored.cookie.name}=${stored.cookie.value}`)
      .join('; ');
  }

  private live(): StoredCookie[] {
    const now = this.now();
    return this.cookies.filter((stored) => expiresAt(stored.cookie) > now);
  }

  private store(target: URL, header: string | string[] | undefined): void {
    for (const line of header === undefined ? [] : Array.isArray(header) ? header : [header]) {
      const cookie = parseCookie(line);
      if (!cookie) continue;
      // Absent Path: the directory of the request path (RFC 6265 §5.1.4).
      const path = cookie.path?.startsWith('/') ? cookie.path : target.pathname.replace(/\/[^/]*$/, '') || '/';
      const at = this.cookies.findIndex(
        (stored) => stored.origin === target.origin && stored.cookie.name === cookie.name && stored.path === path,
      );
      if (at >= 0) this.cookies.splice(at, 1);
      const stored = {
        cookie: cookie.maxAge === undefined ? cookie : { ...cookie, expires: this.now() + cookie.maxAge * 1000 },
        origin: target.origin,
        path,
      };
      if (expiresAt(stored.cookie) > this.now()) this.cookies.push(stored);
    }
  }
}

function expiresAt(cookie: Cookie): number {
  if (cookie.expires === undefined) return Number.POSITIVE_INFINITY;
  return typeof cookie.expires === 'number' ? cookie.expires : cookie.expires.getTime();
}

/** RFC 6265 §5.1.4 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
}

/**
 * The dance as the Office dialog runs it: open the `authorizeUrl` that `oauth/start`
 * answered (our begin URL, which sets the browser's binding cookie and redirects to Jira's
 * authorize page), "Allow" as `jiraUser` there, and follow Jira's redirect to our callback.
 */
export async function runConsent(
  browser: Browser,
  authorizeUrl: string,
  jira: Pick<JiraSimulator, 'approve' | 'approveOAuth2'>,
  jiraUser: string,
): Promise<{ begin: Reply; requestToken: string; callback: Reply }> {
  const begin = await browser.open(authorizeUrl);
  const location = begin.headers.location;
  if (begin.status !== 302 || typeof location !== 'string') throw new Error(`the begin URL answered ${begin.status}: ${begin.text}`);
  // OAuth 2.0 instances send the browser to Jira's `/rest/oauth2/latest/authorize` with a
  // `state` (answered here as the request token), OAuth 1.0a ones with an `oauth_token`.
  const jiraPage = new URL(location);
  const oauth2 = jiraPage.pathname.endsWith('/rest/oauth2/latest/authorize');
  const requestToken = jiraPage.searchParams.get(oauth2 ? 'state' : 'oauth_token') ?? '';
  const { callbackUrl } = oauth2 ? jira.approveOAuth2(location, jiraUser) : jira.approve(requestToken, jiraUser);
  return { begin, requestToken, callback: await browser.open(callbackUrl) };
}
