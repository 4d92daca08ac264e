import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSelfSignedCertificate } from '../../../../dev/sandbox/graph/createSelfSignedCertificate';
import { startGraphSimulator, type GraphSimulator } from '../../../../dev/sandbox/graph/startGraphSimulator';
import { newGuid } from '../../../../dev/sandbox/newGuid';
import { graphAppToken } from '../../../support/graphAppToken';

const CLIENT_ID = newGuid();
const SECRET = 's3cret';
const TENANT = newGuid();
const USER = newGuid();

type Behaviour = (token: string, response: http.ServerResponse) => void;
let simulator: GraphSimulator;
let webhook: http.Server;
let webhookUrl = '';
let behaviour: Behaviour = (token, response) => {
  response.writeHead(200, { 'Content-Type': 'text/plain' });
  response.end(token);
};
const received: { path: string; body: unknown }[] = [];

beforeAll(async () => {
  simulator = await startGraphSimulator({ clientId: CLIENT_ID, clientSecret: SECRET, validationTimeoutMs: 500, retryDelaysMs: [] });
  webhook = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const token = url.searchParams.get('validationToken');
      if (token !== null) return behaviour(token, response);
      received.push({ path: url.pathname, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      response.writeHead(202);
      response.end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await simulator.stop();
  webhook.closeAllConnections();
  await new Promise((resolve) => webhook.close(resolve));
});

function accessToken(tenantId = TENANT): Promise<string> {
  return graphAppToken(simulator, { tenantId, clientId: CLIENT_ID, clientSecret: SECRET });
}

async function graph(method: string, path: string, body?: unknown, tenantId = TENANT): Promise<Response> {
  return fetch(`${simulator.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${await accessToken(tenantId)}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const subscriptionBody = (overrides: Record<string, unknown> = {}) => ({
  changeType: 'created',
  notificationUrl: `${webhookUrl}/notify`,
  lifecycleNotificationUrl: `${webhookUrl}/lifecycle`,
  resource: `users/${USER}/messages`,
  expirationDateTime: new Date(Date.now() + 3600_000).toISOString(),
  clientState: 'state',
  ...overrides,
});

const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

describe('Graph simulator', () => {
  test('token endpoint: client credentials only, with the right secret', async () => {
    const form = (fields: Record<string, string>) =>
      fetch(simulator.tokenUrl(TENANT), { method: 'POST', body: new URLSearchParams(fields) });
    expect(
      (await form({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: 'wrong', scope: 'x/.default' })).status,
    ).toBe(401);
    expect((await form({ grant_type: 'password', client_id: CLIENT_ID, client_secret: SECRET, scope: 'x/.default' })).status).toBe(400);
    expect((await fetch(`${simulator.baseUrl}/subscriptions`)).status).toBe(401);
  });

  test('creates a subscription only after a correct validation handshake of both URLs', async () => {
    const created = await graph('POST', '/subscriptions', subscriptionBody());
    expect(created.status).toBe(201);
    const subscription = (await created.json()) as { id: string; clientState: string };
    expect(subscription.clientState).toBe('state');
    const last = simulator.state.handshakes.slice(-2);
    expect(last.every((h) => h.ok)).toBe(true);
    expect(last.map((h) => new URL(h.url).pathname).sort()).toEqual(['/lifecycle', '/notify']);

    const failures: [string, Behaviour][] = [
      ['a wrong body', (_token, response) => response.writeHead(200, { 'Content-Type': 'text/plain' }).end('something else')],
      ['HTML', (token, response) => response.writeHead(200, { 'Content-Type': 'text/html' }).end(token)],
      ['a 202', (token, response) => response.writeHead(202, { 'Content-Type': 'text/plain' }).end(token)],
      [
        'a token decoded twice',
        (token, response) => response.writeHead(200, { 'Content-Type': 'text/plain' }).end(token.replace(/ /g, '+')),
      ],
      ['no answer in time', () => undefined],
    ];
    for (const [, failing] of failures) {
      behaviour = failing;
      const refused = await graph('POST', '/subscriptions', subscriptionBody());
      expect(refused.status).toBe(400);
      expect(await errorCode(refused)).toBe('ValidationError');
    }
    behaviour = (token, response) => response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(token);
  });

  test('expiry limits, clientState length, and renewal / deletion of one’s own subscriptions only', async () => {
    expect(
      await errorCode(
        await graph('POST', '/subscriptions', subscriptionBody({ expirationDateTime: new Date(Date.now() - 1000).toISOString() })),
      ),
    ).toBe('ExtensionError');
    expect((await graph('POST', '/subscriptions', subscriptionBody({ clientState: 'x'.repeat(129) }))).status).toBe(400);

    const { id } = (await (await graph('POST', '/subscriptions', subscriptionBody())).json()) as { id: string };
    const later = new Date(Date.now() + 4000 * 60_000).toISOString();
    const renewed = await graph('PATCH', `/subscriptions/${id}`, { expirationDateTime: later });
    expect(((await renewed.json()) as { expirationDateTime: string }).expirationDateTime).toBe(later);
    expect((await graph('PATCH', `/subscriptions/${id}`, { expirationDateTime: later }, newGuid())).status).toBe(404);
    expect((await graph('DELETE', `/subscriptions/${id}`, undefined, newGuid())).status).toBe(404);
    expect((await graph('DELETE', `/subscriptions/${id}`)).status).toBe(204);
    expect(await errorCode(await graph('PATCH', `/subscriptions/${id}`, { expirationDateTime: later }))).toBe('ResourceNotFound');
  });

  test('refuses a lifetime past Graph’s maximum with 400 ExtensionError, on creation and on renewal: 10,070 minutes, 1,440 with resource data', async () => {
    const minutesAhead = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
    const certificate = createSelfSignedCertificate('lifetime');
    const kinds = [
      { maximum: 10_070, refused: [10_071, 10_081], extra: {} },
      {
        maximum: 1_440,
        refused: [1_441],
        extra: { includeResourceData: true, encryptionCertificate: certificate.certificate, encryptionCertificateId: 'lifetime-1' },
      },
    ];
    for (const kind of kinds) {
      const message = `Subscription expiration can only be ${kind.maximum} minutes in the future.`;
      for (const minutes of kind.refused) {
        const refused = await graph(
          'POST',
          '/subscriptions',
          subscriptionBody({ ...kind.extra, expirationDateTime: minutesAhead(minutes) }),
        );
        expect(refused.status).toBe(400);
        expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({
          code: 'ExtensionError',
          message,
        });
      }
      const created = await graph(
        'POST',
        '/subscriptions',
        subscriptionBody({ ...kind.extra, expirationDateTime: minutesAhead(kind.maximum) }),
      );
      expect(created.status).toBe(201);
      const { id, expirationDateTime } = (await created.json()) as { id: string; expirationDateTime: string };

      for (const minutes of kind.refused) {
        const refused = await graph('PATCH', `/subscriptions/${id}`, { expirationDateTime: minutesAhead(minutes) });
        expect(refused.status).toBe(400);
        expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({
          code: 'ExtensionError',
          message,
        });
      }
      // A refused renewal leaves the subscription as it was.
      expect(new Date(simulator.state.subscriptions.get(id)!.expiresAt).toISOString()).toBe(expirationDateTime);
      const renewedTo = minutesAhead(kind.maximum);
      const renewed = await graph('PATCH', `/subscriptions/${id}`, { expirationDateTime: renewedTo });
      expect(renewed.status).toBe(200);
      expect(((await renewed.json()) as { expirationDateTime: string }).expirationDateTime).toBe(renewedTo);
      expect((await graph('DELETE', `/subscriptions/${id}`)).status).toBe(204);
    }
  });

  test('control API: a mail notifies the mailbox’s subscriptions as Graph would; notify:false stores it silently', async () => {
    const { id: subscriptionId } = (await (
      await graph('POST', '/subscriptions', subscriptionBody({ resource: `users/${USER}/messages` }))
    ).json()) as { id: string };
    received.length = 0;
    const put = await fetch(`${simulator.url}/_sandbox/mail`, {
      method: 'POST',
      body: JSON.stringify({ userId: USER, conversationId: 'conv', subject: 'Hi', from: 'Ann <ann@example.com>' }),
    });
    expect(put.status).toBe(201);
    const mail = (await put.json()) as { id: string; internetMessageId: string };
    expect(mail.internetMessageId).toMatch(/^<.+@.+>$/);
    await simulator.idle();
    const notified = received
      .filter((r) => r.path === '/notify')
      .map(
        (r) =>
          (r.body as { value: { subscriptionId: string; resourceData: { id: string }; clientState: string; changeType: string }[] })
            .value[0],
      );
    expect(notified.filter((n) => n?.subscriptionId === subscriptionId)).toEqual([
      expect.objectContaining({
        clientState: 'state',
        changeType: 'created',
        resourceData: expect.objectContaining({ id: mail.id }) as unknown,
      }),
    ]);

    received.length = 0;
    const silent = await fetch(`${simulator.url}/_sandbox/mail`, {
      method: 'POST',
      body: JSON.stringify({ userId: USER, conversationId: 'conv', subject: 'Quiet', from: 'ann@example.com', notify: false }),
    });
    expect(silent.status).toBe(201);
    await simulator.idle();
    expect(received).toEqual([]);

    const byId = await graph('GET', `/users/${USER}/messages/${encodeURIComponent(mail.id)}?$select=subject,conversationId`);
    expect(await byId.json()).toEqual({ '@odata.etag': expect.any(String) as unknown, id: mail.id, subject: 'Hi', conversationId: 'conv' });
    // As Graph: the Internet headers only when selected, never in the default set.
    const unselected = (await (await graph('GET', `/users/${USER}/messages/${encodeURIComponent(mail.id)}`)).json()) as Record<
      string,
      unknown
    >;
    expect(unselected).not.toHaveProperty('internetMessageHeaders');
    expect(unselected).toMatchObject({ isDraft: false });
    const headers = await graph('GET', `/users/${USER}/messages/${encodeURIComponent(mail.id)}?$select=internetMessageHeaders`);
    expect(await headers.json()).toMatchObject({
      internetMessageHeaders: expect.arrayContaining([{ name: 'Message-ID', value: mail.internetMessageId }]) as unknown,
    });

    const lifecycle = await fetch(`${simulator.url}/_sandbox/lifecycle`, {
      method: 'POST',
      body: JSON.stringify({ subscriptionId, lifecycleEvent: 'missed' }),
    });
    expect(lifecycle.status).toBe(202);
    for (let i = 0; i < 100 && !received.some((r) => r.path === '/lifecycle'); i += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received.find((r) => r.path === '/lifecycle')?.body).toEqual({
      value: [expect.objectContaining({ subscriptionId, lifecycleEvent: 'missed', clientState: 'state' })],
    });
  });

  test('lists messages by receivedDateTime with paging, and answers 429 with Retry-After on demand', async () => {
    const user = newGuid();
    for (let i = 0; i < 5; i += 1)
      simulator.putMail({
        userId: user,
        conversationId: 'c',
        subject: `m${i}`,
        from: 'a@example.com',
        notify: false,
        receivedDateTime: `2025-03-0${i + 1}T00:00:00Z`,
      });
    const first = await graph(
      'GET',
      `/users/${user}/messages?$filter=${encodeURIComponent('receivedDateTime ge 2025-03-02T00:00:00Z')}&$orderby=receivedDateTime%20asc&$top=2&$select=subject`,
    );
    const page = (await first.json()) as { value: { subject: string }[]; '@odata.nextLink': string };
    expect(page.value.map((m) => m.subject)).toEqual(['m1', 'm2']);
    const second = (await (
      await fetch(page['@odata.nextLink'], { headers: { authorization: `Bearer ${await accessToken()}` } })
    ).json()) as { value: { subject: string }[]; '@odata.nextLink'?: string };
    expect(second.value.map((m) => m.subject)).toEqual(['m3', 'm4']);
    expect(second['@odata.nextLink']).toBeUndefined();
    expect(await errorCode(await graph('GET', `/users/${user}/messages?$filter=subject eq 'x'`))).toBe('ErrorInvalidUrlQueryFilter');

    const fault = await fetch(`${simulator.url}/_sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ status: 429, retryAfter: 9, count: 2 }),
    });
    expect(fault.status).toBe(204);
    for (let i = 0; i < 2; i += 1) {
      const throttled = await graph('GET', `/users/${user}/messages`);
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('9');
    }
    expect((await graph('GET', `/users/${user}/messages`)).status).toBe(200);
  });
});
