import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { JiraNotifications } from '../../../../../dev/sandbox/jira/notifyRoutes';
import { startJiraSimulator, type JiraSimulator } from '../../../../../dev/sandbox/jira/startJiraSimulator';

describe('the Jira simulator: watchers and notify', () => {
  let now = Date.parse('2030-01-01T00:00:00Z');
  const clock = { now: () => now };
  let jira: JiraSimulator;
  let notifications: JiraNotifications;
  let serviceToken: string;
  let aliceToken: string;

  beforeAll(async () => {
    notifications = new JiraNotifications({ inactiveUsers: ['carol'] });
    jira = await startJiraSimulator({
      clock,
      routes: notifications.routes(),
      issues: [
        { key: 'FAN-1', summary: 'One', watchers: ['alice', 'bob', 'carol'], reporter: 'alice' },
        { key: 'FAN-2', summary: 'Two', watchers: ['bob'], reporter: 'bob' },
      ],
    });
    serviceToken = jira.addPersonalAccessToken('jira-service');
    aliceToken = jira.addPersonalAccessToken('alice');
  });
  afterAll(() => jira?.stop());
  beforeEach(() => notifications.clearOutbox());

  async function call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    token: string | undefined = serviceToken,
    contentType = 'application/json',
  ) {
    const response = await request(`${jira.url}/${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': contentType }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.body.text();
    return {
      status: response.statusCode,
      headers: response.headers,
      json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    };
  }

  const notifyBody = (users: string[]) => ({
    subject: 'S',
    textBody: 'T',
    htmlBody: '<p>H</p>',
    to: { reporter: false, assignee: false, watchers: false, voters: false, users: users.map((name) => ({ name })) },
    restrict: { permissions: [{ key: 'BROWSE' }] },
  });

  it('lists the watchers as Jira Server does, inactive ones marked', async () => {
    const answer = await call('GET', 'rest/api/2/issue/FAN-1/watchers');
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ isWatching: false, watchCount: 3 });
    expect(answer.json?.watchers).toEqual([
      expect.objectContaining({
        name: 'alice',
        key: 'JIRAUSER10000',
        emailAddress: 'alice@example.test',
        displayName: 'Alice Example',
        active: true,
      }),
      expect.objectContaining({ name: 'bob', active: true }),
      expect.objectContaining({ name: 'carol', active: false }),
    ]);
    expect((await call('GET', 'rest/api/2/issue/FAN-1/watchers', undefined, aliceToken)).json).toMatchObject({ isWatching: true });
    expect((await call('GET', 'rest/api/2/issue/NOPE-1/watchers')).status).toBe(404);
    expect((await call('GET', 'rest/api/2/issue/FAN-1/watchers', undefined, '')).status).toBe(401);
  });

  it('queues the notification for the named users Jira may mail, and records it in the outbox', async () => {
    notifications.denyBrowse('FAN-1', 'bob');
    try {
      now += 1000;
      const answer = await call('POST', 'rest/api/2/issue/FAN-1/notify', notifyBody(['alice', 'bob', 'carol']));
      expect(answer.status).toBe(204);
      expect(notifications.outbox).toEqual([
        { at: now, issueKey: 'FAN-1', recipients: ['alice'], subject: 'S', textBody: 'T', htmlBody: '<p>H</p>', sentBy: 'jira-service' },
      ]);
      // A caller who cannot see the issue gets Jira's 404.
      const bobToken = jira.addPersonalAccessToken('bob');
      expect((await call('POST', 'rest/api/2/issue/FAN-1/notify', notifyBody(['alice']), bobToken)).status).toBe(404);
    } finally {
      notifications.allowBrowse('FAN-1', 'bob');
    }
  });

  it('refuses a body Jira would refuse', async () => {
    expect((await call('POST', 'rest/api/2/issue/FAN-2/notify', notifyBody(['nobody']))).json).toMatchObject({
      errorMessages: ["User 'nobody' does not exist."],
    });
    expect((await call('POST', 'rest/api/2/issue/FAN-2/notify', notifyBody([]))).status).toBe(400);
    expect((await call('POST', 'rest/api/2/issue/FAN-2/notify', { subject: 7, to: { users: [{ name: 'bob' }] } })).status).toBe(400);
    expect((await call('POST', 'rest/api/2/issue/FAN-2/notify', 'not json')).status).toBe(400);
    expect(
      (await call('POST', 'rest/api/2/issue/FAN-2/notify', { ...notifyBody(['bob']), restrict: { permissions: [{ key: 'ADMINISTER' }] } }))
        .status,
    ).toBe(400);
    expect((await call('POST', 'rest/api/2/issue/FAN-2/notify', notifyBody(['bob']), serviceToken, 'text/plain')).status).toBe(415);
    expect((await call('POST', 'rest/api/2/issue/NOPE-2/notify', notifyBody(['bob']))).status).toBe(404);
    expect(notifications.outbox).toHaveLength(0);
    // `to.watchers: true` lets Jira pick the watchers itself.
    expect((await call('POST', 'rest/api/2/issue/FAN-2/notify', { subject: 'W', to: { watchers: true } })).status).toBe(204);
    expect(notifications.outbox[0]).toMatchObject({ recipients: ['bob'], subject: 'W' });
  });

  it('with outgoing mail off, notify answers 403 and sends nothing while the watcher list still answers', async () => {
    notifications.setOutgoingMail(false);
    try {
      expect((await call('POST', 'rest/api/2/issue/FAN-1/notify', notifyBody(['alice']))).status).toBe(403);
      expect((await call('POST', 'rest/api/2/issue/NOPE-1/notify', notifyBody(['alice']))).status).toBe(403);
      expect((await call('GET', 'rest/api/2/issue/FAN-1/watchers')).status).toBe(200);
      expect(notifications.outbox).toHaveLength(0);
    } finally {
      notifications.setOutgoingMail(true);
    }
    expect((await call('POST', 'rest/api/2/issue/FAN-1/notify', notifyBody(['alice']))).status).toBe(204);
    expect(notifications.outbox).toHaveLength(1);
  });

  it('fails on demand with Jira DC rate-limit headers, recording when it answered', async () => {
    notifications.fail({ status: 429, retryAfter: 2, count: 2 });
    notifications.fail({ status: 503, count: 1, resource: 'notify' });
    now += 5000;
    const first = await call('GET', 'rest/api/2/issue/FAN-2/watchers');
    expect(first.status).toBe(429);
    expect(first.headers).toMatchObject({ 'retry-after': '2', 'x-ratelimit-remaining': '0' });
    for (const name of ['x-ratelimit-limit', 'x-ratelimit-interval-seconds', 'x-ratelimit-fillrate'])
      expect(first.headers[name]).toMatch(/^\d+$/);
    expect((await call('POST', 'rest/api/2/issue/FAN-2/notify', notifyBody(['bob']))).status).toBe(429);
    expect((await call('POST', 'rest/api/2/issue/FAN-2/notify', notifyBody(['bob']))).status).toBe(503);
    expect((await call('POST', 'rest/api/2/issue/FAN-2/notify', notifyBody(['bob']))).status).toBe(204);
    expect(notifications.answers.map((answer) => [answer.resource, answer.status, answer.at, answer.retryAfter])).toEqual([
      ['watchers', 429, now, 2],
      ['notify', 429, now, 2],
      ['notify', 503, now, undefined],
      ['notify', 204, now, undefined],
    ]);
    expect(notifications.outbox).toHaveLength(1);
  });

  it('rate-limits per user with a token bucket', async () => {
    notifications.setRateLimit({ limit: 2, fillRate: 1, intervalSeconds: 10 });
    try {
      const ok = await call('GET', 'rest/api/2/issue/FAN-2/watchers');
      expect(ok.headers).toMatchObject({
        'x-ratelimit-limit': '2',
        'x-ratelimit-remaining': '1',
        'x-ratelimit-fillrate': '1',
        'x-ratelimit-interval-seconds': '10',
      });
      expect((await call('GET', 'rest/api/2/issue/FAN-2/watchers')).status).toBe(200);
      const limited = await call('GET', 'rest/api/2/issue/FAN-2/watchers');
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBe('10');
      // Another user has a bucket of their own.
      expect((await call('GET', 'rest/api/2/issue/FAN-2/watchers', undefined, aliceToken)).status).toBe(200);
      now += 10_000;
      expect((await call('GET', 'rest/api/2/issue/FAN-2/watchers')).status).toBe(200);
    } finally {
      notifications.setRateLimit(undefined);
    }
  });

  it('serves the sandbox control endpoints through handleControl', async () => {
    const server = http.createServer((req, res) => {
      void notifications.handleControl(req, res, new URL(req.url ?? '/', 'http://x').pathname, now).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await call('POST', 'rest/api/2/issue/FAN-2/notify', notifyBody(['bob']));
      const listed = await request(`${base}/_sandbox/outbox`);
      expect(await listed.body.json()).toMatchObject({
        notifications: [{ issueKey: 'FAN-2', recipients: ['bob'], subject: 'S', at: new Date(now).toISOString() }],
      });
      const fault = await request(`${base}/_sandbox/notify-faults`, { method: 'POST', body: JSON.stringify({ status: 500, count: 1 }) });
      expect(fault.statusCode).toBe(200);
      await fault.body.dump();
      expect((await call('GET', 'rest/api/2/issue/FAN-2/watchers')).status).toBe(500);
      const cleared = await request(`${base}/_sandbox/outbox`, { method: 'DELETE' });
      expect(cleared.statusCode).toBe(204);
      await cleared.body.dump();
      expect(notifications.outbox).toHaveLength(0);
      const other = await request(`${base}/_sandbox/other`);
      expect(other.statusCode).toBe(404);
      await other.body.dump();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
