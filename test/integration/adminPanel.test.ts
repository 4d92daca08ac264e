import { Script } from 'node:vm';
import { SignJWT } from 'jose';
import { newGuid } from '../../dev/sandbox/newGuid';
import { queryStringHash } from '../../shared/admin/canonicalRequest';
import { recordPoisoned } from '../../shared/admin/recordPoisoned';
import { recordWebhookBatch } from '../../shared/admin/recordWebhookBatch';
import { ReportCounters } from '../../shared/admin/ReportCounters';
import { ReportRepository } from '../../shared/admin/ReportRepository';
import { signConnectJwt } from '../../dev/sandbox/jira/connectJwt';
import { encodeQueueMessage } from '../../shared/platform/storage/queueMessageCodec';
import { poisonQueueName, queueNames } from '../../shared/platform/storage/queueNames';
import { tableNames } from '../../shared/platform/storage/tableNames';
import { newInvocationContext } from '../../dev/host/newInvocationContext';
import { withPoisonReport } from '../../functions/withPoisonReport';
import { startAdminPanelStack, type AdminPanelStack, type PanelInstance } from '../support/adminPanelStack';

/**
 * The administration panel over HTTP, as the local host serves the real function table:
 * the iframe token checks (one URL, one instance, minutes, the right secret), the page's
 * headers, the session, and the JSON endpoints over real storage, Jira and queues.
 */
describe('admin panel', () => {
  let stack: AdminPanelStack;
  let instance: PanelInstance;

  beforeAll(async () => {
    stack = await startAdminPanelStack();
    instance = await stack.newInstance();
  });
  afterAll(() => stack?.stop());

  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const appUrl = () => stack.http.url;
  const jiraOrigin = () => new URL(stack.fanout.jira.url).origin;

  async function openSession(target = instance): Promise<string> {
    const response = await fetch(await stack.panelUrl(target));
    expect(response.status).toBe(200);
    const token = /<meta name="panel-session" content="([^"]+)">/.exec(await response.text())?.[1];
    if (!token) throw new Error('no session in the page');
    return token;
  }

  const api = (path: string, init: { session?: string; bearer?: string; method?: string; body?: unknown } = {}) =>
    fetch(`${appUrl()}/api/manage/panel/${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.session ? { 'X-Panel-Session': init.session } : {}),
        ...(init.bearer ? { Authorization: `Bearer ${init.bearer}` } : {}),
        ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });

  /** A token as the Jira app would sign it, with any claim overridden. */
  async function token(
    overrides: {
      issuer?: string;
      secret?: string;
      path?: string;
      query?: string;
      method?: string;
      iat?: number;
      exp?: number;
      sub?: string;
    } = {},
  ): Promise<string> {
    const iat = overrides.iat ?? nowSeconds();
    const qsh = queryStringHash({
      method: overrides.method ?? 'GET',
      path: overrides.path ?? '/api/manage/ui',
      query: new URLSearchParams(overrides.query ?? ''),
    });
    return new SignJWT({ qsh })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(overrides.issuer ?? instance.credentials.issuer)
      .setSubject(overrides.sub ?? 'admin')
      .setIssuedAt(iat)
      .setExpirationTime(overrides.exp ?? iat + 180)
      .sign(new TextEncoder().encode(overrides.secret ?? instance.credentials.sharedSecret));
  }

  const ui = (jwt: string, query = '') => fetch(`${appUrl()}/api/manage/ui?${query}${query ? '&' : ''}jwt=${encodeURIComponent(jwt)}`);

  async function expectRefusedPage(response: Response): Promise<void> {
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toContain('This link to the administration panel is not valid');
    // Nothing about which check failed, no token, no session.
    expect(html).not.toMatch(/qsh|signature|expired|lifetime|issuer|instance_|panel-session|eyJ/i);
    expect(html).not.toContain('<script');
  }

  describe('the page Jira frames', () => {
    it('opens with a valid token: a session, its assets, and framing by the instance origin only', async () => {
      const response = await fetch(await stack.panelUrl(instance));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp.split('; ')).toEqual(
        expect.arrayContaining([
          "default-src 'none'",
          "script-src 'self'",
          "style-src 'self'",
          "img-src 'self' data:",
          "connect-src 'self'",
          `frame-ancestors ${jiraOrigin()}`,
        ]),
      );
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers.get('x-frame-options')).toBeNull();
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('cache-control')).toBe('no-store');
      const html = await response.text();
      expect(html).toMatch(/<meta name="panel-session" content="ps1\.[^"]+">/);
      expect(html).toMatch(/<script src="\/api\/manage\/ui\/assets\/panel\.js\?v=[\w-]+" defer><\/script>/);
      // No inline script or style anywhere.
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style|style=/);
    });

    it('refuses a token for another URL: other query, other path, other method', async () => {
      await expectRefusedPage(await ui(await token({ query: 'lang=en' }), 'lang=fr'));
      await expectRefusedPage(await ui(await token({ path: '/api/manage/ui/other' })));
      await expectRefusedPage(await ui(await token({ method: 'POST' })));
      await expectRefusedPage(await ui(await token(), 'extra=1'));
      // The same token on its own URL is fine: the failures above are the binding, not the token.
      expect((await ui(await token({ query: 'lang=en' }), 'lang=en')).status).toBe(200);
    });

    it('refuses a token for another instance, or one no instance issued', async () => {
      const other = await stack.newInstance();
      await expectRefusedPage(await ui(await token({ issuer: other.credentials.issuer })));
      await expectRefusedPage(await ui(await token({ issuer: `${instance.tenantId}/no-such-instance` })));
      await expectRefusedPage(await ui(await token({ issuer: 'demo' })));
      // Another tenant's instance with its own secret opens its own panel, not this one.
      const page = await (await fetch(await stack.panelUrl(other))).text();
      const session = /content="(ps1\.[^"]+)"/.exec(page)?.[1] ?? '';
      const overview = (await (await api('overview', { session })).json()) as { instance: { panelIssuer: string } };
      expect(overview.instance.panelIssuer).toBe(`${other.tenantId}/demo`);
    });

    it('refuses an expired token, one valid for more than ten minutes, and one issued in the future', async () => {
      await expectRefusedPage(await ui(await token({ iat: nowSeconds() - 900, exp: nowSeconds() - 600 })));
      await expectRefusedPage(await ui(await token({ exp: nowSeconds() + 3600 })));
      await expectRefusedPage(await ui(await token({ iat: nowSeconds() + 900, exp: nowSeconds() + 1000 })));
    });

    it('refuses a wrong signature, an unsigned token, a token without qsh and garbage', async () => {
      await expectRefusedPage(await ui(await token({ secret: 'not-the-secret' })));
      const [header, payload] = (await token()).split('.');
      const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
      await expectRefusedPage(await ui(none));
      const tampered = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'root' })).toString('base64url')}.${(await token()).split('.')[2]}`;
      await expectRefusedPage(await ui(tampered));
      const withoutQsh = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(instance.credentials.issuer)
        .setSubject('admin')
        .setIssuedAt()
        .setExpirationTime('3m')
        .sign(new TextEncoder().encode(instance.credentials.sharedSecret));
      await expectRefusedPage(await ui(withoutQsh));
      await expectRefusedPage(await ui('<script>alert(1)</script>'));
    });

    it('a rotated secret refuses tokens signed with the old one at once', async () => {
      const rotated = await stack.newInstance();
      const oldUrl = await stack.panelUrl(rotated);
      const renewed = await api(`secret?instanceId=demo`, { method: 'POST', bearer: await stack.adminToken(rotated.tenantId) });
      expect(renewed.status).toBe(200);
      const credentials = (await renewed.json()) as { issuer: string; sharedSecret: string; panelPath: string };
      expect(credentials).toMatchObject({ issuer: `${rotated.tenantId}/demo`, panelPath: '/api/manage/ui' });
      expect(credentials.sharedSecret).not.toBe(rotated.credentials.sharedSecret);
      await expectRefusedPage(await fetch(oldUrl));
      expect((await fetch(await stack.panelUrl({ ...rotated, credentials }))).status).toBe(200);
      // The secret is the bearer admin's to hand out: a panel session cannot rotate it.
      expect((await api('secret?instanceId=demo', { method: 'POST', session: await openSession() })).status).toBe(401);
      expect((await api('secret?instanceId=demo', { method: 'POST', bearer: await stack.userToken(rotated.tenantId) })).status).toBe(403);
    });

    it('without a token serves the sign-in page, which nobody may frame', async () => {
      const response = await fetch(`${appUrl()}/api/manage/ui`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      const html = await response.text();
      expect(html).toContain('data-mode="signin"');
      expect(html).not.toContain('panel-session');
    });

    it('serves its script and style sheet from the app, cacheable by content hash', async () => {
      const html = await (await fetch(await stack.panelUrl(instance))).text();
      const script = /src="([^"]+panel\.js[^"]*)"/.exec(html)?.[1] ?? '';
      const style = /href="([^"]+panel\.css[^"]*)"/.exec(html)?.[1] ?? '';
      const js = await fetch(`${appUrl()}${script}`);
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(js.headers.get('x-content-type-options')).toBe('nosniff');
      expect(js.headers.get('cache-control')).toContain('immutable');
      const text = await js.text();
      expect(() => new Script(text)).not.toThrow();
      expect(text).toContain('X-Panel-Session');
      expect(text).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
      const css = await fetch(`${appUrl()}${style}`);
      expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
      expect((await fetch(`${appUrl()}/api/manage/ui/assets/panel.js`)).headers.get('cache-control')).toBe('no-cache');
      expect((await fetch(`${appUrl()}/api/manage/ui/assets/secrets.json`)).status).toBe(404);
    });
  });

  describe('the JSON endpoints', () => {
    it('need a session or an admin bearer token', async () => {
      for (const path of ['overview', 'report', 'subscriptions', 'links']) {
        const response = await api(path);
        expect(response.status).toBe(401);
        expect(response.headers.get('content-type')).toBe('application/problem+json');
      }
      const session = await openSession();
      const [version, keyId, payload, mac] = session.split('.');
      const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), t: newGuid() })).toString(
        'base64url',
      );
      const refused = await api('overview', { session: `${version}.${keyId}.${forged}.${mac}` });
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { code: string }).code).toBe('panel_session_invalid');
      expect((await api('overview', { session: `${session}x` })).status).toBe(401);
    });

    it('overview: what the application link needs, the credential and license state, no secret', async () => {
      const response = await api('overview', { session: await openSession() });
      expect(response.status).toBe(200);
      const text = await response.text();
      const instanceRow = await stack.fanout.services.repositories.instances.get({ tenantId: instance.tenantId, instanceId: 'demo' });
      expect(JSON.parse(text)).toEqual({
        instance: {
          instanceId: 'demo',
          displayName: 'Demo',
          baseUrl: stack.fanout.jira.url,
          consumerKey: instanceRow!.consumerKey,
          publicKeyPem: instanceRow!.publicKeyPem,
          callbackUrl: 'http://127.0.0.1:7071/api/jira/oauth/callback',
          panelIssuer: instance.credentials.issuer,
          panelSecretSet: true,
        },
        credential: { state: 'set', kind: 'impersonation', serviceUser: 'jira-service' },
        license: { state: 'notConfigured' },
        session: { subject: 'admin', via: 'jira', expiresAt: expect.any(String) as unknown },
      });
      expect(text).not.toMatch(/PRIVATE KEY|encrypted|sharedSecret|v1\.k1\./);
      expect(text).not.toContain(instance.credentials.sharedSecret);
    });

    it('a session renews, and an admin bearer token opens one for an instance of its own tenant', async () => {
      const renewed = await api('session', { method: 'POST', session: await openSession() });
      expect(renewed.status).toBe(200);
      const { token: next } = (await renewed.json()) as { token: string };
      expect((await api('overview', { session: next })).status).toBe(200);

      const bearer = await stack.adminToken(instance.tenantId);
      const opened = await api('session?instanceId=demo', { method: 'POST', bearer });
      expect(opened.status).toBe(200);
      const { token: entraSession } = (await opened.json()) as { token: string };
      expect(((await (await api('overview', { session: entraSession })).json()) as { session: { via: string } }).session.via).toBe('entra');
      expect((await api('overview?instanceId=demo', { bearer })).status).toBe(200);

      expect((await api('session?instanceId=demo', { method: 'POST', bearer: await stack.userToken(instance.tenantId) })).status).toBe(403);
      // Another tenant's admin does not find this tenant's instance.
      const stranger = await api('session?instanceId=demo', { method: 'POST', bearer: await stack.adminToken(newGuid()) });
      expect(stranger.status).toBe(404);
      expect((await api('session', { method: 'POST', bearer })).status).toBe(400);
    });

    it('report: per-day counts from the counters and the deliveries, latest failures, poison counts; no mail content', async () => {
      const { services } = stack.fanout;
      const subject = 'Confidential merger subject';
      const fresh = await stack.newInstance();
      const now = new Date().toISOString();
      const delivery = (issueKey: string, status: 'sent' | 'failed', extra: Record<string, unknown> = {}) =>
        services.repositories.deliveries.upsert({
          tenantId: fresh.tenantId,
          internetMessageId: `<${newGuid()}@example.test>`,
          instanceId: 'demo',
          issueKey,
          status,
          attempts: 1,
          createdAt: now,
          updatedAt: now,
          ...extra,
        });
      await delivery('DEMO-1', 'sent', { lastStatus: 204 });
      await delivery('DEMO-2', 'sent', { lastStatus: 204 });
      await delivery('DEMO-3', 'sent', { lastStatus: 200, reason: 'no_recipients' });
      await delivery('GONE-1', 'failed', { lastStatus: 404, reason: 'issue_not_found' });
      // Outside the period, or another instance: not counted.
      const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
      await delivery('DEMO-4', 'sent', { createdAt: old, updatedAt: old });
      await services.repositories.deliveries.upsert({
        tenantId: fresh.tenantId,
        internetMessageId: '<x@example.test>',
        instanceId: 'other',
        issueKey: 'OTHER-1',
        status: 'failed',
        attempts: 1,
        createdAt: now,
        updatedAt: now,
      });

      expect(
        await recordWebhookBatch(services.admin.reports, {
          kind: 'notifications',
          messages: [{ tenantId: fresh.tenantId }, { tenantId: fresh.tenantId }, { tenantId: newGuid() }],
          dropped: { clientStateMismatch: 1, unknownSubscription: 2 },
        }),
      ).toBe(true);
      expect(
        await recordWebhookBatch(services.admin.reports, {
          kind: 'lifecycle',
          messages: [{ tenantId: fresh.tenantId, lifecycleEvent: 'missed' }],
          dropped: {},
        }),
      ).toBe(true);
      const poisoned = {
        version: 1,
        tenantId: fresh.tenantId,
        instanceId: 'demo',
        issueKey: 'DEMO-9',
        mail: { subject, bodyPreview: subject },
      };
      expect(await recordPoisoned(services.admin.reports, queueNames.jiraNotify, poisoned)).toBe(true);
      await stack.fanout.admin.sendText(poisonQueueName(queueNames.jiraNotify), encodeQueueMessage(poisoned));

      const session = await openSession(fresh);
      const response = await api('report?days=7', { session });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).not.toContain(subject);
      expect(text).not.toContain('@example.test');
      const report = JSON.parse(text) as {
        days: {
          day: string;
          received: number;
          dropped: number;
          droppedByReason: Record<string, number>;
          delivered: number;
          failed: number;
          poisoned: number;
          lifecycle: Record<string, number>;
        }[];
        totals: Record<string, number>;
        latestFailures: unknown[];
        poisonQueues: { queue: string; poisonQueue: string; count: number; complete: boolean }[];
      };
      expect(report.days).toHaveLength(7);
      const today = report.days[6]!;
      expect(today.day).toBe(now.slice(0, 10));
      expect(today).toMatchObject({ received: 2, delivered: 3, failed: 1, poisoned: 1, lifecycle: { missed: 1 } });
      // Drops are counted for the whole deployment: at least this batch's.
      expect(today.droppedByReason.clientStateMismatch).toBeGreaterThanOrEqual(1);
      expect(today.droppedByReason.unknownSubscription).toBeGreaterThanOrEqual(2);
      expect(report.totals).toMatchObject({ received: 2, delivered: 3, failed: 1, poisoned: 1 });
      expect(report.latestFailures).toEqual([
        { issueKey: 'GONE-1', reason: 'issue_not_found', lastStatus: 404, attempts: 1, at: expect.any(String) as unknown },
      ]);
      expect(report.poisonQueues.find((queue) => queue.queue === 'jira-notify')).toEqual({
        queue: 'jira-notify',
        poisonQueue: 'jira-notify-poison',
        count: 1,
        complete: true,
      });
      expect((await api('report?days=99', { session })).status).toBe(400);

      // Replay: the tenant's messages (here, all there are), each unchanged.
      const replay = await api('replay-poison', { method: 'POST', session, body: { queue: 'jira-notify' } });
      expect(replay.status).toBe(200);
      const replayText = await replay.text();
      expect(JSON.parse(replayText)).toEqual({ queue: 'jira-notify', moved: 1, leftForLater: 0, complete: true, dryRun: false });
      expect(replayText).not.toContain(subject);
      const back = await stack.fanout.admin.peek(queueNames.jiraNotify);
      expect(back.map((message) => message.body)).toEqual([poisoned]);
      await stack.fanout.admin
        .receive(queueNames.jiraNotify, { max: 32 })
        .then((messages) => Promise.all(messages.map((message) => stack.fanout.admin.delete(queueNames.jiraNotify, message))));
      expect((await api('replay-poison', { method: 'POST', session, body: { queue: 'mail-bodies' } })).status).toBe(400);
      expect((await api('replay-poison', { method: 'POST', session, body: 'jira-notify' })).status).toBe(400);
    });

    it('subscriptions and links: states and counts, links searchable by issue key', async () => {
      const fresh = await stack.newInstance();
      const second = await stack.fanout.addMailbox(fresh);
      await stack.fanout.link(fresh, 'DEMO-1');
      await stack.fanout.link(fresh, 'DEMO-1', `${fresh.conversationId}-2`);
      await stack.fanout.link(fresh, 'DEMO-2');
      await stack.fanout.link(fresh, 'DEMO-10');
      const session = await openSession(fresh);

      const subscriptions = (await (await api('subscriptions', { session })).json()) as {
        items: { userId: string; state: string; expired: boolean }[];
      };
      expect(subscriptions.items.map((s) => s.userId).sort()).toEqual([fresh.userId, second.userId].sort());
      expect(subscriptions.items.every((s) => !s.expired)).toBe(true);

      const all = (await (await api('links', { session })).json()) as {
        totals: Record<string, number>;
        items: { issueKey: string; conversations: number }[];
      };
      expect(all.totals).toEqual({ links: 4, issues: 3, conversations: 2, stale: 0 });
      expect(all.items.find((issue) => issue.issueKey === 'DEMO-1')?.conversations).toBe(2);
      const found = (await (await api('links?issueKey=demo-1', { session })).json()) as { items: { issueKey: string }[] };
      expect(found.items.map((issue) => issue.issueKey).sort()).toEqual(['DEMO-1', 'DEMO-10']);
      const exact = (await (await api('links?issueKey=DEMO-2', { session })).json()) as { items: { issueKey: string }[] };
      expect(exact.items.map((issue) => issue.issueKey)).toEqual(['DEMO-2']);
      const text = JSON.stringify(all);
      expect(text).not.toContain(fresh.conversationId);
    });

    it('subscriptions name their owners from Graph; a deleted user is marked, a refused directory leaves the ids', async () => {
      const named = await stack.newInstance();
      const deleted = await stack.fanout.addMailbox(named);
      const { state } = stack.fanout.graph;
      state.putUser({
        id: named.userId,
        tenantId: named.tenantId,
        displayName: 'Nadia Named',
        mail: 'nadia@contoso.test',
        userPrincipalName: 'nadia@contoso.test',
      });
      const session = await openSession(named);
      const batchesBefore = state.graphRequests.filter((request) => request.path.endsWith('/$batch')).length;
      const response = await api('subscriptions', { session });
      expect(response.status).toBe(200);
      const page = (await response.json()) as { items: { userId: string; user?: Record<string, unknown> }[] };
      const userOf = (userId: string) => page.items.find((item) => item.userId === userId)?.user;
      expect(userOf(named.userId)).toEqual({ displayName: 'Nadia Named', mail: 'nadia@contoso.test' });
      // Graph answers 404 for an id not in the directory: a deleted user.
      expect(userOf(deleted.userId)).toEqual({ deleted: true });
      // Both ids in one batch; the next page view is served from the cache.
      expect(state.graphRequests.filter((request) => request.path.endsWith('/$batch')).length).toBe(batchesBefore + 1);
      await api('subscriptions', { session });
      expect(state.graphRequests.filter((request) => request.path.endsWith('/$batch')).length).toBe(batchesBefore + 1);

      // A tenant that did not consent User.Read.All: Graph answers 403 per user; the page still lists the ids.
      const refused = await stack.newInstance();
      state.directoryDenied.add(refused.tenantId.toLowerCase());
      state.putUser({ id: refused.userId, tenantId: refused.tenantId, displayName: 'Hidden', userPrincipalName: 'h@x.test' });
      const refusedPage = await api('subscriptions', { session: await openSession(refused) });
      expect(refusedPage.status).toBe(200);
      const refusedItems = ((await refusedPage.json()) as { items: { userId: string; user?: unknown }[] }).items;
      expect(refusedItems.map((item) => item.userId)).toEqual([refused.userId]);
      expect(refusedItems[0]).not.toHaveProperty('user');
    });

    it('test connection: accepted, rejected by Jira, or missing', async () => {
      const session = await openSession();
      expect(await (await api('test-connection', { method: 'POST', session })).json()).toEqual({
        ok: true,
        status: 200,
        jiraUser: 'jira-service',
      });

      const { services } = stack.fanout;
      // Registered, but no application link in Jira for its consumer key.
      const unlinked = await stack.newInstance();
      await services.instances.register(unlinked.tenantId, 'unlinked', {
        baseUrl: stack.fanout.jira.url,
        displayName: 'Unlinked',
        serviceUser: 'jira-service',
      });
      const unlinkedCredentials = await services.admin.panelSecrets.issue({ tenantId: unlinked.tenantId, instanceId: 'unlinked' });
      const rejected = await api('test-connection', {
        method: 'POST',
        session: await openSession({ ...unlinked, instanceId: 'unlinked', credentials: unlinkedCredentials }),
      });
      expect(await rejected.json()).toEqual({ ok: false, outcome: 'rejected', code: 'jira_consumer_unknown' });

      await services.instances.register(unlinked.tenantId, 'bare', { baseUrl: stack.fanout.jira.url, displayName: 'Bare' });
      const bareCredentials = await services.admin.panelSecrets.issue({ tenantId: unlinked.tenantId, instanceId: 'bare' });
      const bareSession = await openSession({ ...unlinked, instanceId: 'bare', credentials: bareCredentials });
      expect(await (await api('test-connection', { method: 'POST', session: bareSession })).json()).toEqual({
        ok: false,
        outcome: 'missing',
        code: 'jira_service_credential_missing',
      });
      expect(((await (await api('overview', { session: bareSession })).json()) as { credential: unknown }).credential).toEqual({
        state: 'missing',
      });
    });
  });

  it('overview shows the license decision and where it came from (live, then cache)', async () => {
    const licensed = await stack.newInstance();
    await stack.licenseInstance(licensed);
    const session = await openSession(licensed);
    const first = (await (await api('overview', { session })).json()) as {
      license: { state: string; answer: { licensed: boolean; status: string; source: string } };
    };
    expect(first.license).toMatchObject({ state: 'checked', answer: { licensed: true, status: 'active', source: 'live' } });
    const second = (await (await api('overview', { session })).json()) as { license: { answer: { source: string } } };
    expect(second.license.answer.source).toBe('cache');
  });

  it('withPoisonReport counts the failure of a last attempt only', async () => {
    const { services } = stack.fanout;
    const tenantId = newGuid();
    const failing = withPoisonReport(queueNames.jiraNotify, () => Promise.reject(new Error('boom')));
    const attempt = (dequeueCount: number) =>
      failing(
        { version: 1, tenantId },
        newInvocationContext({
          functionName: 'notifyIssueWatchers',
          trigger: { type: 'queueTrigger', name: 'message' },
          triggerMetadata: { dequeueCount },
          log: { write: () => undefined },
        }),
        services,
      );
    for (const count of [1, 2, 3, 4]) await expect(attempt(count)).rejects.toThrow('boom');
    const today = new Date().toISOString().slice(0, 10);
    expect((await services.admin.reports.read(tenantId, today, today)).get(today)).toBeUndefined();
    await expect(attempt(5)).rejects.toThrow('boom');
    expect((await services.admin.reports.read(tenantId, today, today)).get(today)).toEqual({ poisoned_jira_notify: 1 });
  });

  it('report counters add up under concurrent writers: summed within a process, ETag retries across processes', async () => {
    const repository = new ReportRepository({ client: stack.fanout.services.tableClients.get(tableNames.reports) });
    let writes = 0;
    // Counts the writes that reach the table; reads and writes go to the real table.
    const counted = {
      getVersioned: repository.getVersioned.bind(repository),
      listDays: repository.listDays.bind(repository),
      insert: (...args: Parameters<ReportRepository['insert']>) => ((writes += 1), repository.insert(...args)),
      update: (...args: Parameters<ReportRepository['update']>) => ((writes += 1), repository.update(...args)),
    };
    // Three "processes" on one shard row: conflicts between them are real ETag races.
    const processes = Array.from(
      { length: 3 },
      () => new ReportCounters({ repository: counted, clock: { now: () => Date.now() }, shards: 1 }),
    );
    const scope = newGuid();
    // Each process sums in memory and flushes a few times: every flush races the other processes' for the one row.
    for (let round = 0; round < 10; round += 1) {
      await Promise.all(Array.from({ length: 30 }, (_, i) => processes[i % 3]!.add(scope, { received: 1, dropped_duplicate: 2 })));
      await Promise.all(processes.map((process) => process.flush()));
    }
    const today = new Date().toISOString().slice(0, 10);
    expect((await processes[0]!.read(scope, today, today)).get(today)).toEqual({ received: 300, dropped_duplicate: 600 });
    // Without summing every add would be at least one write; with it, a flush is one write per process (plus its ETag retries).
    expect(writes).toBeLessThan(100);
  });

  it('a Jira app signing as Atlassian Connect describes and the verifier agree on a URL with a query', async () => {
    const url = new URL(`${appUrl()}/api/manage/ui`);
    url.searchParams.append('lang', 'de DE');
    url.searchParams.append('a', '*~!');
    const jwt = await signConnectJwt({
      issuer: instance.credentials.issuer,
      sharedSecret: instance.credentials.sharedSecret,
      jiraUser: 'admin',
      issuedAt: nowSeconds(),
      method: 'GET',
      url,
    });
    url.searchParams.set('jwt', jwt);
    expect((await fetch(url)).status).toBe(200);
  });

  describe('editing its own instance', () => {
    const edit = (session: string, body: unknown) =>
      fetch(`${appUrl()}/api/manage/panel/instance`, {
        method: 'PATCH',
        headers: { 'X-Panel-Session': session, 'Content-Type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const stored = (target: { tenantId: string; instanceId: string }) =>
      stack.fanout.services.repositories.instances.get({ tenantId: target.tenantId, instanceId: target.instanceId });

    it('renames its instance and moves its path within the origin; the session and the rest stay', async () => {
      const own = await stack.newInstance();
      const before = (await stored(own))!;
      const session = await openSession(own);

      const renamed = await edit(session, { displayName: '  Jira of Contoso  ' });
      expect(renamed.status).toBe(200);
      expect(await renamed.json()).toMatchObject({ instanceId: own.instanceId, displayName: 'Jira of Contoso', baseUrl: before.baseUrl });
      const overview = (await (await api('overview', { session })).json()) as { instance: { displayName: string } };
      expect(overview.instance.displayName).toBe('Jira of Contoso');

      const moved = await edit(session, { baseUrl: `${before.baseUrl}/jira` });
      expect(moved.status).toBe(200);
      const after = (await stored(own))!;
      expect(after).toMatchObject({ baseUrl: `${before.baseUrl}/jira`, displayName: 'Jira of Contoso' });
      // What the edit did not name is as it was: keys, service user, kind.
      expect(after).toMatchObject({
        consumerKey: before.consumerKey,
        publicKeyPem: before.publicKeyPem,
        serviceUser: before.serviceUser,
        encryptedAdminSecret: before.encryptedAdminSecret,
      });
      // The session is bound to the row's identity and panel secret, not its name: it goes on.
      expect((await api('overview', { session })).status).toBe(200);
    });

    it("never touches another instance of the tenant, nor another tenant's", async () => {
      const own = await stack.newInstance();
      const { services } = stack.fanout;
      await services.instances.register(own.tenantId, 'second', { baseUrl: stack.fanout.jira.url, displayName: 'Second' });
      const strangerTenant = await stack.newInstance();
      // An id the caller's tenant does not have: only another tenant's instance answers to it.
      const stranger = { tenantId: strangerTenant.tenantId, instanceId: 'elsewhere' };
      await services.instances.register(stranger.tenantId, stranger.instanceId, {
        baseUrl: stack.fanout.jira.url,
        displayName: 'Elsewhere',
      });
      const strangerName = 'Elsewhere';

      expect((await edit(await openSession(own), { displayName: 'Renamed' })).status).toBe(200);
      expect((await stored(own))!.displayName).toBe('Renamed');
      expect((await stored({ tenantId: own.tenantId, instanceId: 'second' }))!.displayName).toBe('Second');
      expect((await stored(stranger))!.displayName).toBe(strangerName);

      // The body cannot name another instance: the session's is the only one.
      const named = await edit(await openSession(own), { instanceId: 'second', displayName: 'Hijack' });
      expect(named.status).toBe(400);
      // With an admin bearer token, another tenant's instance is not found.
      const bearer = await fetch(`${appUrl()}/api/manage/panel/instance?instanceId=${stranger.instanceId}`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${await stack.adminToken(own.tenantId)}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ displayName: 'Hijack' }),
      });
      expect(bearer.status).toBe(404);
      expect(((await bearer.json()) as { code: string }).code).toBe('instance_not_found');
      expect((await stored(stranger))!.displayName).toBe(strangerName);
      expect((await stored({ tenantId: own.tenantId, instanceId: 'second' }))!.displayName).toBe('Second');
    });

    it.each([
      ['an empty name', { displayName: '   ' }, 400, 'invalid_body'],
      ['no field', {}, 400, 'invalid_body'],
      ['a credential', { serviceToken: 'pat-123' }, 400, 'invalid_body'],
      ['a name too long', { displayName: 'x'.repeat(201) }, 400, 'invalid_body'],
      ['text that is not JSON', '{"displayName":', 400, 'invalid_json'],
      ['a move to another host', { baseUrl: 'https://jira.attacker.example' }, 403, 'forbidden'],
      // Same origin (user info is not part of it), so the registration's own check answers.
      ['a base URL with credentials', { baseUrl: 'CREDENTIALS' }, 400, 'instance_invalid'],
      ['a base URL that is no URL', { baseUrl: 'not a url' }, 400, 'instance_invalid'],
    ])('refuses %s with problem+json and a stable code, changing nothing', async (_case, body, status, code) => {
      const own = await stack.newInstance();
      const before = (await stored(own))!;
      const withCredentials = new URL(before.baseUrl);
      withCredentials.username = 'admin';
      withCredentials.password = 'pw';
      const sent = JSON.stringify(body) === '{"baseUrl":"CREDENTIALS"}' ? { baseUrl: withCredentials.href } : body;
      const response = await edit(await openSession(own), sent);
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      const problem = (await response.json()) as { code: string };
      expect(problem.code).toBe(code);
      expect(JSON.stringify(problem)).not.toMatch(/at .*\.ts:\d+/);
      expect((await stored(own))!).toMatchObject({ displayName: before.displayName, baseUrl: before.baseUrl, updatedAt: before.updatedAt });
    });

    it('is refused without a session, or with a forged one', async () => {
      const own = await stack.newInstance();
      const anonymous = await fetch(`${appUrl()}/api/manage/panel/instance`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ displayName: 'Nobody' }),
      });
      expect(anonymous.status).toBe(401);
      const forged = await edit('v1.forged.session.token', { displayName: 'Nobody' });
      expect(forged.status).toBe(401);
      expect(((await forged.json()) as { code: string }).code).toBe('panel_session_invalid');
      expect((await stored(own))!.displayName).not.toBe('Nobody');
    });
  });
});
