import { startGraphSimulator, type GraphSimulator } from '../../../../dev/sandbox/graph/startGraphSimulator';
import { newGuid } from '../../../../dev/sandbox/newGuid';
import { GraphClientFactory } from '../../../../shared/mail/graph/GraphClientFactory';
import { OutboundClient } from '../../../../shared/platform/http/OutboundClient';
import { graphAppToken } from '../../../support/graphAppToken';

/**
 * The Graph simulator's directory: `GET /users/{id}` and JSON batching (`POST /$batch`) as
 * Graph documents them (https://learn.microsoft.com/graph/json-batching): at most 20
 * requests, ids unique case-insensitively, URLs relative, a body only with a Content-Type;
 * a bad batch is refused whole with 400, a good one answers every request with its own status.
 */

const CLIENT_ID = newGuid();
const SECRET = 's3cret';
const TENANT = newGuid();
const OTHER_TENANT = newGuid();
const ALICE = newGuid();
const STRANGER = newGuid();
let simulator: GraphSimulator;
let token: string;
const http = new OutboundClient({
  connectTimeoutMs: 2000,
  headersTimeoutMs: 15_000,
  bodyTimeoutMs: 15_000,
  connectionsPerOrigin: 4,
  allowPrivateNetworkTargets: true,
});

beforeAll(async () => {
  simulator = await startGraphSimulator({ clientId: CLIENT_ID, clientSecret: SECRET, retryDelaysMs: [] });
  simulator.state.putUser({
    id: ALICE,
    tenantId: TENANT,
    displayName: 'Alice Example',
    mail: 'alice@contoso.test',
    userPrincipalName: 'alice@contoso.test',
  });
  simulator.state.putUser({ id: STRANGER, tenantId: OTHER_TENANT, displayName: 'Stranger', userPrincipalName: 'stranger@fabrikam.test' });
  token = await graphAppToken(simulator, { tenantId: TENANT, clientId: CLIENT_ID, clientSecret: SECRET });
});

afterAll(async () => {
  await simulator.stop();
  await http.close();
});

function graphCall(path: string, init: { method?: string; body?: unknown; token?: string } = {}) {
  return fetch(`${simulator.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${init.token ?? token}`, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
  });
}

const userRequest = (id: string, userId = ALICE) => ({ id, method: 'GET', url: `/users/${userId}?$select=displayName,mail` });

describe('the Graph simulator directory', () => {
  test('GET /users/{id} answers the selected fields of a user of the token’s tenant, 404 for another tenant’s', async () => {
    const alice = await graphCall(`/users/${ALICE}?$select=displayName,mail`);
    expect(alice.status).toBe(200);
    const body = (await alice.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id: ALICE, displayName: 'Alice Example', mail: 'alice@contoso.test' });
    expect(body).not.toHaveProperty('userPrincipalName');

    const stranger = await graphCall(`/users/${STRANGER}`);
    expect(stranger.status).toBe(404);
    expect(await stranger.json()).toMatchObject({ error: { code: 'Request_ResourceNotFound' } });

    expect((await graphCall(`/users/${ALICE}`, { token: 'not-a-token' })).status).toBe(401);
  });

  test('a batch answers each request by its id with its own status, not in request order', async () => {
    const response = await graphCall('/$batch', { method: 'POST', body: { requests: [userRequest('1'), userRequest('2', STRANGER)] } });
    expect(response.status).toBe(200);
    const { responses } = (await response.json()) as { responses: { id: string; status: number; body: Record<string, unknown> }[] };
    const byId = new Map(responses.map((answer) => [answer.id, answer]));
    expect(byId.get('1')).toMatchObject({ status: 200, body: { displayName: 'Alice Example' } });
    expect(byId.get('2')).toMatchObject({ status: 404, body: { error: { code: 'Request_ResourceNotFound' } } });
    expect(responses.map((answer) => answer.id)).toEqual(['2', '1']);
  });

  test.each([
    ['21 requests', { requests: Array.from({ length: 21 }, (_, i) => userRequest(String(i + 1))) }, 'exceeds the limit'],
    ['no requests array', { value: [] }, 'Invalid batch payload'],
    ['an empty requests array', { requests: [] }, 'Invalid batch payload'],
    ['a request without an id', { requests: [{ method: 'GET', url: `/users/${ALICE}` }] }, 'Invalid batch payload'],
    ['a request without a method', { requests: [{ id: '1', url: `/users/${ALICE}` }] }, 'Invalid batch payload'],
    ['ids differing only in case', { requests: [userRequest('a'), userRequest('A')] }, 'duplicate'],
    ['an absolute URL', { requests: [{ id: '1', method: 'GET', url: `https://graph.microsoft.com/v1.0/users/${ALICE}` }] }, 'relative'],
    [
      'a body without a Content-Type',
      { requests: [{ id: '1', method: 'PATCH', url: `/users/${ALICE}`, body: { city: 'Oslo' } }] },
      'Content-Type',
    ],
    ['a body that is not JSON', '{"requests": [', 'Invalid batch payload'],
  ])('refuses a batch with %s (400, nothing answered)', async (_case, body, message) => {
    const response = await graphCall('/$batch', { method: 'POST', body });
    expect(response.status).toBe(400);
    const error = ((await response.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('BadRequest');
    expect(error.message).toContain(message);
  });

  test('20 requests is a batch Graph takes', async () => {
    const requests = Array.from({ length: 20 }, (_, i) => userRequest(String(i + 1)));
    const response = await graphCall('/$batch', { method: 'POST', body: { requests } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { responses: unknown[] }).responses).toHaveLength(20);
  });

  test('a batch needs the app token like every other route', async () => {
    expect((await graphCall('/$batch', { method: 'POST', body: { requests: [userRequest('1')] }, token: 'forged' })).status).toBe(401);
    expect((await graphCall('/$batch', { body: undefined })).status).toBe(405);
  });

  test('GraphApi.getUsers reads names through the batch; a tenant without User.Read.All gets 403 per user', async () => {
    const factory = new GraphClientFactory({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      authorityHost: simulator.authorityHost,
      baseUrl: simulator.baseUrl,
      http,
      now: () => Date.now(),
    });
    const gone = newGuid();
    const lookups = await factory.forTenant(TENANT).getUsers([ALICE, gone]);
    expect(lookups).toEqual([
      {
        userId: ALICE,
        status: 200,
        user: { displayName: 'Alice Example', mail: 'alice@contoso.test', userPrincipalName: 'alice@contoso.test' },
      },
      { userId: gone, status: 404 },
    ]);
    const denied = newGuid();
    simulator.state.directoryDenied.add(denied.toLowerCase());
    simulator.state.putUser({ id: newGuid(), tenantId: denied, displayName: 'Hidden', userPrincipalName: 'h@x.test' });
    expect(await factory.forTenant(denied).getUsers([ALICE])).toEqual([{ userId: ALICE, status: 403 }]);
  });
});
