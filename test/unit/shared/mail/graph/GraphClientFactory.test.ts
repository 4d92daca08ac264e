import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGraphSimulator, type GraphSimulator } from '../../../../../dev/sandbox/graph/startGraphSimulator';
import { AppError } from '../../../../../shared/platform/errors/AppError';
import { GraphClientFactory } from '../../../../../shared/mail/graph/GraphClientFactory';
import { retryAfterOf } from '../../../../../shared/mail/graph/throttledError';
import { OutboundClient } from '../../../../../shared/platform/http/OutboundClient';

const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const SECRET = 'sandbox-secret';
const TENANT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const USER = '99999999-8888-7777-6666-555555555555';

let simulator: GraphSimulator;
let shortLived: GraphSimulator;
let echo: http.Server;
let echoUrl: string;
const http1 = new OutboundClient({
  connectTimeoutMs: 2000,
  headersTimeoutMs: 15_000,
  bodyTimeoutMs: 15_000,
  connectionsPerOrigin: 8,
  allowPrivateNetworkTargets: true,
});

function factoryFor(target: GraphSimulator, secret = SECRET): GraphClientFactory {
  return new GraphClientFactory({
    clientId: CLIENT_ID,
    clientSecret: secret,
    authorityHost: target.authorityHost,
    baseUrl: target.baseUrl,
    http: http1,
    now: () => Date.now(),
  });
}

async function expectAppError(promise: Promise<unknown>, code: string): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

beforeAll(async () => {
  simulator = await startGraphSimulator({ clientId: CLIENT_ID, clientSecret: SECRET });
  shortLived = await startGraphSimulator({ clientId: CLIENT_ID, clientSecret: SECRET, tokenLifetimeSeconds: 120 });
  // A webhook that answers the validation handshake correctly.
  echo = http.createServer((request, response) => {
    const token = new URL(request.url ?? '/', 'http://x').searchParams.get('validationToken') ?? '';
    request.resume();
    response.writeHead(200, { 'Content-Type': 'text/plain' });
    response.end(token);
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await simulator.stop();
  await shortLived.stop();
  echo.closeAllConnections();
  await new Promise((resolve) => echo.close(resolve));
  await http1.close();
});

describe('GraphClientFactory against the Graph simulator', () => {
  test('gets one app token per tenant and reuses it until shortly before it expires', async () => {
    const graph = factoryFor(simulator).forTenant(TENANT);
    const before = simulator.state.tokenRequests;
    await graph.listMessagesSince(USER, '2020-01-01T00:00:00Z').next();
    await graph.listMessagesSince(USER, '2020-01-01T00:00:00Z').next();
    await Promise.all([1, 2, 3].map(() => graph.listMessagesSince(USER, '2020-01-01T00:00:00Z').next()));
    expect(simulator.state.tokenRequests - before).toBe(1);

    // A token living less than MSAL's five-minute renewal margin is fetched again every time.
    const shortGraph = factoryFor(shortLived).forTenant(TENANT);
    await shortGraph.listMessagesSince(USER, '2020-01-01T00:00:00Z').next();
    await shortGraph.listMessagesSince(USER, '2020-01-01T00:00:00Z').next();
    expect(shortLived.state.tokenRequests).toBe(2);
  });

  test('a separate token (and authority) per tenant', async () => {
    const factory = factoryFor(simulator);
    const other = 'ffffffff-bbbb-cccc-dddd-eeeeeeeeeeee';
    await factory.forTenant(TENANT).listMessagesSince(USER, '2020-01-01T00:00:00Z').next();
    await factory.forTenant(other).listMessagesSince(USER, '2020-01-01T00:00:00Z').next();
    const tenants = new Set([...simulator.state.accessTokens.values()].map((grant) => grant.tenantId));
    expect(tenants).toEqual(new Set([TENANT, other]));
  });

  test('wrong client secret → graph_access_denied, with no secret in the message', async () => {
    const error = await expectAppError(
      factoryFor(simulator, 'wrong').forTenant(TENANT).listMessagesSince(USER, '2020-01-01T00:00:00Z').next(),
      'graph_access_denied',
    );
    expect(error.message).not.toContain('wrong');
  });

  test('creates, renews and deletes a subscription; renewing a removed one is graph_not_found', async () => {
    const graph = factoryFor(simulator).forTenant(TENANT);
    const created = await graph.createSubscription({
      changeType: 'created',
      notificationUrl: `${echoUrl}/api/graph/notifications`,
      lifecycleNotificationUrl: `${echoUrl}/api/graph/lifecycle`,
      resource: `users/${USER}/messages`,
      expirationDateTime: new Date(Date.now() + 60 * 60_000).toISOString(),
      clientState: 'a-secret-state',
    });
    expect(simulator.state.subscriptions.get(created.id)?.clientState).toBe('a-secret-state');
    const later = new Date(Date.now() + 120 * 60_000).toISOString();
    const renewed = await graph.renewSubscription(created.id, later);
    expect(Date.parse(renewed.expirationDateTime)).toBe(Date.parse(later));

    // A minute past Graph's longest lifetime for a subscription without resource data.
    const refused = await expectAppError(
      graph.renewSubscription(created.id, new Date(Date.now() + 10_071 * 60_000).toISOString()),
      'graph_request_failed',
    );
    expect(refused.extensions).toEqual({ graphCode: 'ExtensionError' });

    await graph.deleteSubscription(created.id);
    expect(simulator.state.subscriptions.has(created.id)).toBe(false);
    await graph.deleteSubscription(created.id);
    await expectAppError(graph.renewSubscription(created.id, later), 'graph_not_found');
  });

  test('a failed validation handshake refuses the subscription', async () => {
    const graph = factoryFor(simulator).forTenant(TENANT);
    const error = await expectAppError(
      graph.createSubscription({
        changeType: 'created',
        notificationUrl: 'http://127.0.0.1:1/nothing-listens-here',
        lifecycleNotificationUrl: `${echoUrl}/api/graph/lifecycle`,
        resource: `users/${USER}/messages`,
        expirationDateTime: new Date(Date.now() + 60 * 60_000).toISOString(),
        clientState: 'x',
      }),
      'graph_request_failed',
    );
    expect(error.extensions.graphCode).toBe('ValidationError');
  });

  test('429 with Retry-After surfaces as throttled with that delay, and no retry is made', async () => {
    const graph = factoryFor(simulator).forTenant(TENANT);
    await graph.listMessagesSince(USER, '2020-01-01T00:00:00Z').next();
    const requests = simulator.state.graphRequests.length;
    simulator.failNext({ status: 429, retryAfterSeconds: 7 });
    const error = await expectAppError(graph.listMessagesSince(USER, '2020-01-01T00:00:00Z').next(), 'throttled');
    expect(retryAfterOf(error)).toBe(7);
    expect(error.headers['Retry-After']).toBe('7');
    expect(simulator.state.graphRequests.length).toBe(requests + 1);
  });

  test('lists messages since a time through every page, and reads one by an id with / and +', async () => {
    const user = '12345678-8888-7777-6666-555555555555';
    const old = simulator.putMail({
      userId: user,
      conversationId: 'c',
      subject: 'old',
      from: 'a@example.com',
      receivedDateTime: '2024-01-01T00:00:00Z',
      notify: false,
    });
    const ids = new Set<string>();
    for (let i = 0; i < 23; i += 1)
      ids.add(simulator.putMail({ userId: user, conversationId: 'c', subject: `s${i}`, from: 'A <a@example.com>', notify: false }).id);
    const graph = factoryFor(simulator).forTenant(TENANT);
    const seen: string[] = [];
    let pages = 0;
    for await (const page of graph.listMessagesSince(user, '2025-01-01T00:00:00Z', 10)) {
      pages += 1;
      for (const mail of page) {
        seen.push(mail.id);
        expect(mail.conversationId).toBe('c');
        expect(mail.from?.emailAddress?.address).toBe('a@example.com');
      }
    }
    expect(pages).toBe(3);
    expect(new Set(seen)).toEqual(ids);
    expect(seen).not.toContain(old.id);

    const one = [...ids][0]!;
    expect(one).toMatch(/[/+]/);
    const mail = await graph.getMessage(user, one);
    expect(mail.id).toBe(one);
    await expectAppError(graph.getMessage(user, 'AAMk/no+such='), 'graph_not_found');
  });

  test('an unreachable Graph is upstream_unreachable', async () => {
    const factory = new GraphClientFactory({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      authorityHost: simulator.authorityHost,
      baseUrl: 'http://127.0.0.1:1/v1.0',
      http: http1,
      now: () => Date.now(),
    });
    await expectAppError(factory.forTenant(TENANT).listMessagesSince(USER, '2020-01-01T00:00:00Z').next(), 'upstream_unreachable');
  });
});
