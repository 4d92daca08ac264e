import { startAzurite, type RunningAzurite } from '../../dev/azurite';
import { startJiraSimulator } from '../../dev/sandbox/jira/startJiraSimulator';
import { newGuid } from '../../dev/sandbox/newGuid';
import { startTokenIssuer, type TokenIssuer } from '../../dev/sandbox/issuer/tokenIssuer';
import {
  ADDIN_ORIGIN,
  ADMIN_ROLE,
  agent,
  AUDIENCE,
  authorize,
  browserFor,
  LogCapture,
  MovableClock,
  PUBLIC_BASE_URL,
  registerInstance,
  send,
  sendRaw,
  startStack,
  type Stack,
} from '../support/proxyStack';
import type { Browser } from '../support/browser';

/**
 * The proxy end to end: registration, the OAuth dance, signed and streamed calls, and
 * every refusal, through the local host against Azurite and the simulated Jira. Every
 * line logged during the suite is checked at the end for secrets, bodies and queries.
 */
describe('the Jira proxy', () => {
  const clock = new MovableClock();
  const log = new LogCapture();
  let azurite: RunningAzurite;
  let issuer: TokenIssuer;
  let stack: Stack;
  const tenantId = newGuid();
  const otherTenantId = newGuid();
  const userId = newGuid();
  let adminToken: string;
  let userToken: string;
  let otherUserToken: string;
  let otherTenantToken: string;
  /** Every secret the suite handles; none may appear in a log line. */
  const secrets = new Set<string>();
  const BODY_MARKER = 'body-marker-7f3a9c';
  const QUERY_MARKER = 'query-marker-51be2d';

  const proxy = (path: string) => `/api/jira/demo/proxy/${path}`;

  beforeAll(async () => {
    log.captureConsole();
    azurite = await startAzurite();
    issuer = await startTokenIssuer({ clock });
    stack = await startStack({ azurite, issuer, clock, log });
    adminToken = await issuer.mint({ tenantId, userId: newGuid(), audience: AUDIENCE, roles: [ADMIN_ROLE] });
    userToken = await issuer.mint({ tenantId, userId, audience: AUDIENCE });
    otherUserToken = await issuer.mint({ tenantId, userId: newGuid(), audience: AUDIENCE });
    otherTenantToken = await issuer.mint({ tenantId: otherTenantId, userId: newGuid(), audience: AUDIENCE, roles: [ADMIN_ROLE] });
    for (const token of [adminToken, userToken, otherUserToken, otherTenantToken]) secrets.add(token);

    const view = await registerInstance(stack, adminToken, 'demo', {
      serviceUser: 'jira-service',
      displayName: 'Demo <b>Jira</b> & "friends"',
    });
    expect(view).toMatchObject({
      instanceId: 'demo',
      baseUrl: stack.jira.url,
      callbackUrl: `${PUBLIC_BASE_URL}/api/jira/oauth/callback`,
      hasServiceToken: false,
    });
    expect(String(view.publicKeyPem)).toContain('BEGIN PUBLIC KEY');
    expect(JSON.stringify(view)).not.toMatch(/PRIVATE|encrypted/i);
  });

  afterAll(async () => {
    await stack?.stop();
    await issuer?.stop();
    await azurite?.stop();
    log.release();
    // The log capture of the whole suite: no token, secret, body or query string.
    for (const token of stack.jira.state.accessTokens.values()) secrets.add(token.token).add(token.secret);
    for (const token of stack.jira.state.requestTokens.values()) {
      secrets.add(token.token).add(token.secret);
      if (token.verifier && token.verifier !== 'denied') secrets.add(token.verifier);
    }
    for (const pat of stack.jira.state.personalAccessTokens.keys()) secrets.add(pat);
    const text = log.lines.join('\n');
    expect(log.lines.filter((line) => line.includes('jiraProxy GET instance=demo')).length).toBeGreaterThan(3);
    for (const secret of secrets) expect(text).not.toContain(secret);
    for (const forbidden of [BODY_MARKER, QUERY_MARKER, 'DEMO-1', 'OLD-1', 'oauth_token', 'oauth_verifier', 'PRIVATE KEY', '?', 'Bearer '])
      expect(text).not.toContain(forbidden);
    await agent.close();
  });

  beforeEach(() => stack.jira.clearRequests());

  describe('the dance, then the proxy', () => {
    it('stores the access token encrypted and proxies myself as the Jira user', async () => {
      const page = await authorize(stack, userToken, 'demo', 'alice');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.text).toContain('Office.context.ui.messageParent');
      expect(page.text).toContain('Demo &lt;b&gt;Jira&lt;/b&gt; &amp; &quot;friends&quot;');
      expect(page.text).not.toContain('<b>Jira</b>');

      const stored = await stack.services.repositories.jiraTokens.access.get({ tenantId, userId, instanceId: 'demo' });
      const issued = [...stack.jira.state.accessTokens.values()].find((token) => token.user === 'alice');
      expect(stored).toBeDefined();
      expect(issued).toBeDefined();
      expect(JSON.stringify(stored)).not.toContain(issued!.token);
      expect(JSON.stringify(stored)).not.toContain(issued!.secret);

      const myself = await send(stack.host, 'GET', proxy('rest/api/2/myself'), {
        token: userToken,
        headers: { origin: ADDIN_ORIGIN, accept: 'application/json' },
      });
      expect(myself.status).toBe(200);
      expect(myself.json()).toMatchObject({ name: 'alice', displayName: 'Alice Example' });
      expect(myself.headers['access-control-allow-origin']).toBe(ADDIN_ORIGIN);
      expect(myself.headers['x-ratelimit-limit']).toBe('100');
      expect(myself.headers['x-arequestid']).toBeDefined();
      expect(myself.headers['set-cookie']).toBeUndefined();
      expect(myself.headers['x-asessionid']).toBeUndefined();
      expect(myself.headers['x-content-type-options']).toBe('nosniff');
      const seen = stack.jira.requests.at(-1)!;
      expect(seen.auth).toEqual({ kind: 'oauth', consumerKey: expect.any(String) as unknown, user: 'alice' });
      expect(seen.headers.accept).toBe('application/json');
    });

    it('passes the query through, signs repeated names and form bodies, never signs JSON', async () => {
      const search = await send(
        stack.host,
        'GET',
        proxy(`rest/api/2/search?jql=project%3DDEMO&fields=summary&fields=${QUERY_MARKER}&startAt=0`),
        { token: userToken },
      );
      expect(search.status).toBe(200);
      expect(search.json().total).toBe(3);
      expect(stack.jira.requests.at(-1)?.url).toBe(`/rest/api/2/search?jql=project%3DDEMO&fields=summary&fields=${QUERY_MARKER}&startAt=0`);

      const json = await send(stack.host, 'POST', proxy('rest/api/2/search'), {
        token: userToken,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jql: 'project = DEMO', marker: BODY_MARKER }),
      });
      expect(json.status).toBe(200);
      const form = await send(stack.host, 'POST', proxy('rest/api/2/search'), {
        token: userToken,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `jql=project+%3D+DEMO&marker=${BODY_MARKER}`,
      });
      expect(form.status).toBe(200);
    });

    it('forwards only allowed headers: no Cookie, Authorization, X-Forwarded-*, hop-by-hop or Connection-named ones', async () => {
      const reply = await send(stack.host, 'GET', proxy('rest/api/2/issue/DEMO-1'), {
        token: userToken,
        headers: {
          cookie: 'JSESSIONID=stolen',
          'x-forwarded-for': '10.0.0.1',
          'x-forwarded-host': 'evil.example',
          'x-forwarded-proto': 'http',
          forwarded: 'for=10.0.0.1',
          'proxy-authorization': 'Basic eDp5',
          te: 'trailers',
          'if-none-match': '"abc"',
          'x-custom': 'nope',
        },
      });
      expect(reply.status).toBe(200);
      const seen = stack.jira.requests.at(-1)!.headers;
      expect(seen.cookie).toBeUndefined();
      expect(seen['x-forwarded-for']).toBeUndefined();
      expect(seen['x-forwarded-host']).toBeUndefined();
      expect(seen['x-forwarded-proto']).toBeUndefined();
      expect(seen.forwarded).toBeUndefined();
      expect(seen['proxy-authorization']).toBeUndefined();
      expect(seen.te).toBeUndefined();
      expect(seen['x-custom']).toBeUndefined();
      expect(seen['if-none-match']).toBe('"abc"');
      expect(seen.authorization).toMatch(/^OAuth /);
      expect(seen.authorization).not.toContain(userToken);
      expect(seen.host).toBe(new URL(stack.jira.url).host);
    });

    it('drops a header the client names in Connection, and the host refuses a bare CR in a value', async () => {
      const named = await sendRaw(stack.host, [
        `GET ${proxy('rest/api/2/issue/DEMO-1')} HTTP/1.1`,
        `Host: 127.0.0.1:${stack.host.port}`,
        `Authorization: Bearer ${userToken}`,
        'X-Atlassian-Token: no-check',
        'Accept-Language: de',
        'Connection: close, X-Atlassian-Token, accept-language',
      ]);
      expect(named.status).toBe(200);
      const seen = stack.jira.requests.at(-1)!.headers;
      expect(seen['x-atlassian-token']).toBeUndefined();
      expect(seen['accept-language']).toBeUndefined();

      stack.jira.clearRequests();
      const smuggled = await sendRaw(stack.host, [
        `GET ${proxy('rest/api/2/issue/DEMO-1')} HTTP/1.1`,
        `Host: 127.0.0.1:${stack.host.port}`,
        `Authorization: Bearer ${userToken}`,
        'Accept: application/json\rX-Atlassian-Token: no-check',
        'Connection: close',
      ]);
      expect(smuggled.status).toBe(400);
      expect(stack.jira.requests).toHaveLength(0);
    });

    it('rewrites a redirect inside the instance and refuses any other', async () => {
      stack.jira.redirect('/rest/api/2/issue/OLD-1', `${stack.jira.url}/rest/api/2/issue/DEMO-1?expand=names`, 301);
      const moved = await send(stack.host, 'GET', proxy('rest/api/2/issue/OLD-1'), { token: userToken, headers: { origin: ADDIN_ORIGIN } });
      expect(moved.status).toBe(301);
      expect(moved.headers.location).toBe(`${PUBLIC_BASE_URL}/api/jira/demo/proxy/rest/api/2/issue/DEMO-1?expand=names`);
      expect(moved.headers['access-control-allow-origin']).toBe(ADDIN_ORIGIN);

      stack.jira.redirect('/rest/api/2/issue/OLD-2', 'https://elsewhere.example/steal');
      const away = await send(stack.host, 'GET', proxy('rest/api/2/issue/OLD-2'), { token: userToken });
      expect(away.status).toBe(502);
      expect(away.json().code).toBe('upstream_redirect_refused');
      expect(away.headers.location).toBeUndefined();

      stack.jira.redirect('/rest/api/2/issue/OLD-3', '/login.jsp?os_destination=x');
      const login = await send(stack.host, 'GET', proxy('rest/api/2/issue/OLD-3'), { token: userToken });
      expect(login.status).toBe(502);
      expect(login.json().code).toBe('upstream_redirect_refused');
    });

    it('answers preflights for allowed origins only, and puts CORS on problems too', async () => {
      const preflight = await send(stack.host, 'OPTIONS', proxy('rest/api/2/myself'), {
        headers: { origin: ADDIN_ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(ADDIN_ORIGIN);
      expect(String(preflight.headers['access-control-allow-headers'])).toContain('authorization');
      expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
      const foreign = await send(stack.host, 'OPTIONS', proxy('rest/api/2/myself'), {
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
      });
      expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
      const startPreflight = await send(stack.host, 'OPTIONS', '/api/jira/demo/oauth/start', {
        headers: { origin: ADDIN_ORIGIN, 'access-control-request-method': 'POST' },
      });
      expect(startPreflight.headers['access-control-allow-origin']).toBe(ADDIN_ORIGIN);

      const unauthorized = await send(stack.host, 'GET', proxy('rest/api/2/myself'), {
        token: otherUserToken,
        headers: { origin: ADDIN_ORIGIN },
      });
      expect(unauthorized.status).toBe(401);
      expect(unauthorized.headers['access-control-allow-origin']).toBe(ADDIN_ORIGIN);
      expect(unauthorized.json()).toMatchObject({
        code: 'jira_authorization_required',
        startUrl: `${PUBLIC_BASE_URL}/api/jira/demo/oauth/start`,
      });
      expect(stack.jira.requests).toHaveLength(0);
    });
  });

  describe('refusals, each before Jira sees anything', () => {
    const other = () => otherTenantToken;
    it.each<[string, string, number, string, (() => string) | undefined]>([
      ['dot-dot segments', 'rest/api/2/../../../plugins/servlet/oauth/access-token', 400, 'invalid_path', undefined],
      ['dot-dot climbing out of the proxy', 'rest/../../../../admin/instances', 400, 'invalid_path', undefined],
      ['encoded dots', 'rest/api/2/%2e%2e/%2e%2e/%2e%2e/secure/admin', 400, 'invalid_path', undefined],
      ['mixed encoded dots', 'rest/api/2/.%2E/myself', 400, 'invalid_path', undefined],
      ['encoded upper-case dots', 'rest/api/2/%2E%2E/myself', 400, 'invalid_path', undefined],
      ['encoded slash', 'rest/api/2/issue/..%2f..%2f..%2fsecure%2fadmin', 400, 'invalid_path', undefined],
      ['encoded upper-case slash', 'rest/api/2/issue%2FDEMO-1', 400, 'invalid_path', undefined],
      ['encoded backslash', 'rest/api/2/issue/..%5c..%5cadmin', 400, 'invalid_path', undefined],
      ['raw backslash', 'rest\\..\\..\\secure\\admin', 400, 'invalid_path', undefined],
      ['Tomcat path parameter', 'rest/api/2/..;/..;/secure/admin', 400, 'invalid_path', undefined],
      ['absolute URL', 'http://169.254.169.254/latest/meta-data', 400, 'invalid_path', undefined],
      ['protocol-relative URL', '/evil.example/rest/api/2/myself', 400, 'invalid_path', undefined],
      ['encoded NUL', 'rest/api/2/myself%00', 400, 'invalid_path', undefined],
      ['encoded CR LF', 'rest/api/2/myself%0d%0aX-Injected:%20yes', 400, 'invalid_path', undefined],
      ['encoded tab', 'rest/api/2/my%09self', 400, 'invalid_path', undefined],
      ['outside rest/: OAuth servlet', 'plugins/servlet/oauth/access-token', 400, 'invalid_path', undefined],
      ['outside rest/: admin page', 'secure/admin/ViewApplicationProperties.jspa', 400, 'invalid_path', undefined],
      ['outside rest/: login', 'login.jsp', 400, 'invalid_path', undefined],
      ['bare rest', 'rest', 400, 'invalid_path', undefined],
      ['OAuth parameter in the query', `rest/api/2/myself?oauth_token=forged`, 400, 'invalid_query', undefined],
      ['impersonation in the query', 'rest/api/2/myself?xoauth_requestor_id=admin', 400, 'invalid_query', undefined],
      ['malformed query escape', 'rest/api/2/search?jql=%E0%A4%A', 400, 'invalid_query', undefined],
      ['no bearer token', 'rest/api/2/myself', 401, 'unauthenticated', undefined],
      ['another tenant', 'rest/api/2/myself', 404, 'instance_not_found', other],
    ])('%s: %s → %d %s', async (_name, path, status, code, token) => {
      const bearer = token ? token() : code === 'unauthenticated' ? undefined : userToken;
      const reply = await send(stack.host, 'GET', proxy(path), bearer ? { token: bearer } : {});
      expect(reply.status).toBe(status);
      expect(reply.json().code).toBe(code);
      expect(stack.jira.requests).toHaveLength(0);
    });

    it('answers another tenant exactly as a missing instance', async () => {
      const foreign = await send(stack.host, 'GET', proxy('rest/api/2/myself'), { token: otherTenantToken });
      const missing = await send(stack.host, 'GET', '/api/jira/nothere/proxy/rest/api/2/myself', { token: otherTenantToken });
      expect(foreign.status).toBe(404);
      expect(foreign.text).toBe(missing.text);
      const adminView = await send(stack.host, 'GET', '/api/manage/instances/demo', { token: otherTenantToken });
      expect(adminView.status).toBe(404);
      const start = await send(stack.host, 'POST', '/api/jira/demo/oauth/start', { token: otherTenantToken });
      expect(start.status).toBe(404);
      expect(stack.jira.requests).toHaveLength(0);
    });

    it('refuses base URLs that are or resolve to private and reserved addresses, and insecure or credentialed ones', async () => {
      const strict = await startStack({
        azurite,
        issuer,
        clock,
        log,
        jira: stack.jira,
        env: { ALLOW_PRIVATE_NETWORK_TARGETS: 'false', ALLOW_INSECURE_JIRA: 'false' },
      });
      try {
        const cases: [string, number, string][] = [
          ['https://169.254.169.254', 400, 'target_not_allowed'],
          ['https://127.0.0.1', 400, 'target_not_allowed'],
          ['https://[::1]', 400, 'target_not_allowed'],
          ['https://[::ffff:127.0.0.1]:8443', 400, 'target_not_allowed'],
          ['https://10.0.0.1/jira', 400, 'target_not_allowed'],
          ['https://192.168.1.20', 400, 'target_not_allowed'],
          ['https://0x7f.0.0.1', 400, 'target_not_allowed'],
          ['https://2130706433', 400, 'target_not_allowed'],
          ['https://localhost', 400, 'target_not_allowed'],
          [stack.jira.url, 400, 'instance_invalid'],
          ['https://admin:secret@jira.example.com', 400, 'instance_invalid'],
          ['https://jira.example.com/?next=x', 400, 'instance_invalid'],
          ['ftp://jira.example.com', 400, 'instance_invalid'],
        ];
        for (const [baseUrl, status, code] of cases) {
          const reply = await send(strict.host, 'PUT', '/api/manage/instances/ssrf', {
            token: adminToken,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ baseUrl, displayName: 'x' }),
          });
          expect([baseUrl, reply.status, reply.json().code]).toEqual([baseUrl, status, code]);
        }
        expect(await strict.services.repositories.instances.get({ tenantId, instanceId: 'ssrf' })).toBeUndefined();

        // Registered while private targets were allowed, then called where they are not: the
        // connection-time check refuses the loopback address before a byte is sent.
        const strictUser = await send(strict.host, 'GET', proxy('rest/api/2/myself'), { token: userToken });
        expect(strictUser.status).toBe(400);
        expect(strictUser.json().code).toBe('target_not_allowed');
        expect(stack.jira.requests).toHaveLength(0);
      } finally {
        await strict.stop();
      }
    });

    it('requires the admin role to register', async () => {
      const reply = await send(stack.host, 'PUT', '/api/manage/instances/other', {
        token: userToken,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ baseUrl: stack.jira.url, displayName: 'x' }),
      });
      expect(reply.status).toBe(403);
      const invalid = await send(stack.host, 'PUT', '/api/manage/instances/Bad_Id', {
        token: adminToken,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ baseUrl: stack.jira.url, displayName: 'x' }),
      });
      expect(invalid.status).toBe(400);
      const extra = await send(stack.host, 'PUT', '/api/manage/instances/other', {
        token: adminToken,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ baseUrl: stack.jira.url, displayName: 'x', privateKey: 'x' }),
      });
      expect(extra.json().code).toBe('invalid_body');
      expect(stack.jira.requests).toHaveLength(0);
    });
  });

  describe('the callback', () => {
    /** Started as `token`'s user and begun in a browser of its own, as the Office dialog does. */
    async function started(token: string): Promise<{ browser: Browser; requestToken: string }> {
      const reply = await send(stack.host, 'POST', '/api/jira/demo/oauth/start', { token });
      expect(reply.status).toBe(200);
      const browser = browserFor(stack);
      const begin = await browser.open(String(reply.json().authorizeUrl));
      expect(begin.status).toBe(302);
      return { browser, requestToken: new URL(String(begin.headers.location)).searchParams.get('oauth_token')! };
    }

    it('answers 400 to an unknown, a replayed and an expired request token, with an escaped page', async () => {
      const unknown = await send(
        stack.host,
        'GET',
        '/api/jira/oauth/callback?tenant=' + tenantId + '&oauth_token=%3Cscript%3Ealert(1)%3C%2Fscript%3E&oauth_verifier=x',
      );
      expect(unknown.status).toBe(400);
      expect(unknown.text).toContain('oauth_request_token_invalid');
      expect(unknown.text).not.toContain('<script>alert');
      expect(unknown.headers['referrer-policy']).toBe('no-referrer');
      expect(String(unknown.headers['content-security-policy'])).toContain("default-src 'none'");

      const first = await started(otherUserToken);
      const { callbackUrl } = stack.jira.approve(first.requestToken, 'bob');
      expect((await first.browser.open(callbackUrl)).status).toBe(200);
      const replay = await first.browser.open(callbackUrl);
      expect(replay.status).toBe(400);
      expect(replay.text).toContain('oauth_request_token_invalid');

      const late = await started(otherUserToken);
      const lateCallback = stack.jira.approve(late.requestToken, 'bob').callbackUrl;
      clock.advance(11 * 60_000);
      // The browser still holds its cookie (its clock did not move); the app's request token expired.
      const expired = await late.browser.open(lateCallback);
      expect(expired.status).toBe(400);

      const wrongTenant = new URL(callbackUrl);
      wrongTenant.searchParams.set('tenant', otherTenantId);
      expect((await first.browser.open(wrongTenant.toString())).status).toBe(400);
      expect((await send(stack.host, 'GET', '/api/jira/oauth/callback')).status).toBe(400);
    });

    it('says so when the user denies access in Jira', async () => {
      const { browser, requestToken } = await started(otherUserToken);
      const { callbackUrl } = stack.jira.deny(requestToken);
      const denied = await browser.open(callbackUrl);
      expect(denied.status).toBe(403);
      expect(denied.text).toContain('jira_authorization_denied');
    });
  });

  describe("Jira's oauth_problem answers", () => {
    it('drops the stored token on token_rejected and token_expired and answers 401 with the start URL', async () => {
      const carolUser = newGuid();
      const carol = await issuer.mint({ tenantId, userId: carolUser, audience: AUDIENCE });
      secrets.add(carol);
      for (const [name, spoil] of [
        ['token_rejected', () => stack.jira.revokeAccessTokens('carol')],
        ['token_expired', () => stack.jira.expireAccessTokens('carol')],
      ] as const) {
        expect((await authorize(stack, carol, 'demo', 'carol')).status).toBe(200);
        expect((await send(stack.host, 'GET', proxy('rest/api/2/myself'), { token: carol })).status).toBe(200);
        spoil();
        const refused = await send(stack.host, 'GET', proxy('rest/api/2/myself'), { token: carol, headers: { origin: ADDIN_ORIGIN } });
        expect(refused.status).toBe(401);
        expect(refused.json()).toMatchObject({
          code: 'jira_authorization_required',
          oauthProblem: name,
          startUrl: `${PUBLIC_BASE_URL}/api/jira/demo/oauth/start`,
        });
        expect(refused.headers['access-control-allow-origin']).toBe(ADDIN_ORIGIN);
        expect(
          await stack.services.repositories.jiraTokens.access.get({ tenantId, userId: carolUser, instanceId: 'demo' }),
        ).toBeUndefined();
        stack.jira.clearRequests();
        expect((await send(stack.host, 'GET', proxy('rest/api/2/myself'), { token: carol })).json().code).toBe(
          'jira_authorization_required',
        );
        expect(stack.jira.requests).toHaveLength(0);
      }
    });

    it('maps an unknown consumer and a refused timestamp to stable codes', async () => {
      const unlinked = await registerInstance(stack, adminToken, 'unlinked');
      stack.jira.state.consumers.delete(String(unlinked.consumerKey));
      const start = await send(stack.host, 'POST', '/api/jira/unlinked/oauth/start', { token: userToken });
      expect(start.status).toBe(502);
      expect(start.json()).toMatchObject({ code: 'jira_consumer_unknown', oauthProblem: 'consumer_key_unknown' });

      const skewed = await startJiraSimulator({ clock: { now: () => clock.now() + 3_600_000 } });
      try {
        const skewedStack = { ...stack, jira: skewed };
        await registerInstance(skewedStack, adminToken, 'skewed');
        const refused = await send(stack.host, 'POST', '/api/jira/skewed/oauth/start', { token: userToken });
        expect(refused.status).toBe(502);
        expect(refused.json()).toMatchObject({ code: 'jira_timestamp_refused', oauthProblem: 'timestamp_refused' });
      } finally {
        await skewed.stop();
      }
    });

    it('answers 502 when Jira is unreachable', async () => {
      const gone = await startJiraSimulator({ clock });
      const goneStack = { ...stack, jira: gone };
      await registerInstance(goneStack, adminToken, 'gone');
      await gone.stop();
      const reply = await send(stack.host, 'POST', '/api/jira/gone/oauth/start', { token: userToken });
      expect(reply.status).toBe(502);
      expect(reply.json().code).toBe('upstream_unreachable');
    });
  });

  describe('administration', () => {
    it('lists, re-registers keeping the key pair, and removes instances with their tokens', async () => {
      const first = await registerInstance(stack, adminToken, 'cycle');
      const again = await send(stack.host, 'PUT', '/api/manage/instances/cycle', {
        token: adminToken,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          baseUrl: `${stack.jira.url}/`,
          displayName: 'Renamed',
          serviceToken: 'pat-secret-value',
          appKey: 'com.example.outlook',
        }),
      });
      secrets.add('pat-secret-value');
      expect(again.status).toBe(200);
      expect(again.json()).toMatchObject({
        displayName: 'Renamed',
        consumerKey: first.consumerKey,
        publicKeyPem: first.publicKeyPem,
        hasServiceToken: true,
        appKey: 'com.example.outlook',
      });
      expect(again.text).not.toContain('pat-secret-value');
      const list = await send(stack.host, 'GET', '/api/manage/instances', { token: adminToken });
      expect((list.json().items as { instanceId: string }[]).map((i) => i.instanceId)).toEqual(expect.arrayContaining(['cycle', 'demo']));
      expect((await send(stack.host, 'GET', '/api/manage/instances', { token: otherTenantToken })).json().items).toEqual([]);

      const dave = newGuid();
      const daveToken = await issuer.mint({ tenantId, userId: dave, audience: AUDIENCE });
      secrets.add(daveToken);
      expect((await authorize(stack, daveToken, 'cycle', 'bob')).status).toBe(200);
      expect((await send(stack.host, 'DELETE', '/api/manage/instances/cycle', { token: adminToken })).status).toBe(204);
      expect(await stack.services.repositories.jiraTokens.access.get({ tenantId, userId: dave, instanceId: 'cycle' })).toBeUndefined();
      expect((await send(stack.host, 'GET', '/api/jira/cycle/proxy/rest/api/2/myself', { token: daveToken })).status).toBe(404);
      expect((await send(stack.host, 'DELETE', '/api/manage/instances/cycle', { token: adminToken })).status).toBe(404);
    });
  });
});
