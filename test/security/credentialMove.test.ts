import { startJiraSimulator, type JiraSimulator } from '../../dev/sandbox/jira/startJiraSimulator';
import { agent as stackAgent } from '../support/proxyStack';
import { startAppStack, type AppStack } from '../support/appStack';

/**
 * An instance's credentials belong to the Jira they were issued by. Changing `baseUrl` to
 * another origin (a typo fixed, a migration, or an admin account taken over) must not hand
 * the service user's personal access token or any user's access token to the new host:
 * every stored credential of the instance goes with the move, unless the same request brings
 * a new service token. A move within the origin (a context path) keeps them.
 */

let stack: AppStack;
let other: JiraSimulator;

beforeAll(async () => {
  stack = await startAppStack({ queues: false });
  other = await startJiraSimulator();
}, 60_000);

afterAll(async () => {
  await other?.stop();
  await stack?.stop();
  await stackAgent.close();
});

async function register(instanceId: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const reply = await stack.send('PUT', `/api/manage/instances/${instanceId}`, {
    token: stack.tokens.admin,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ displayName: `Jira ${instanceId}`, ...body }),
  });
  expect([200, 201]).toContain(reply.status);
  return reply.json();
}

async function testConnection(instanceId: string): Promise<Record<string, unknown>> {
  const reply = await stack.send('POST', `/api/manage/panel/test-connection?instanceId=${instanceId}`, { token: stack.tokens.admin });
  expect(reply.status).toBe(200);
  return reply.json();
}

/** Every Authorization header a simulator received since `from`. */
const authorizationsSeen = (jira: JiraSimulator, from = 0) =>
  jira.requests.slice(from).map((request) => String(request.headers.authorization));
const storedInstance = (instanceId: string) => stack.services.repositories.instances.get({ tenantId: stack.users.tenantId, instanceId });
const storedUserToken = (instanceId: string) =>
  stack.services.repositories.jiraTokens.access.get({ tenantId: stack.users.tenantId, userId: stack.users.userId, instanceId });

describe('a base URL moved to another origin', () => {
  it('drops the personal access token: the new host never sees it, test-connection says the credential is missing', async () => {
    const pat = stack.jira.addPersonalAccessToken('jira-service');
    await register('moving', { baseUrl: stack.jira.url, serviceToken: pat });
    expect(await testConnection('moving')).toMatchObject({ ok: true, jiraUser: 'jira-service' });

    const seenBefore = other.requests.length;
    await register('moving', { baseUrl: other.url });
    const result = await testConnection('moving');
    expect(authorizationsSeen(other, seenBefore).filter((header) => header.includes(pat))).toEqual([]);
    expect(result).toMatchObject({ ok: false, outcome: 'missing', code: 'jira_service_credential_missing' });
    expect((await storedInstance('moving'))?.encryptedServiceToken).toBeUndefined();
  });

  it("drops every user's access token: the proxy asks to authorize again and the new host sees no old token", async () => {
    const view = await register('moving-users', { baseUrl: stack.jira.url });
    stack.jira.registerConsumer({ consumerKey: String(view.consumerKey), publicKeyPem: String(view.publicKeyPem) });
    other.registerConsumer({ consumerKey: String(view.consumerKey), publicKeyPem: String(view.publicKeyPem) });
    expect((await stack.authorize(stack.tokens.user, 'moving-users', 'alice')).status).toBe(200);
    const proxied = await stack.send('GET', '/api/jira/moving-users/proxy/rest/api/2/myself', { token: stack.tokens.user });
    expect(proxied.json().name).toBe('alice');
    const oldTokens = [...stack.jira.state.accessTokens.keys()];

    const seenBefore = other.requests.length;
    await register('moving-users', { baseUrl: other.url });
    expect(await storedUserToken('moving-users')).toBeUndefined();
    const after = await stack.send('GET', '/api/jira/moving-users/proxy/rest/api/2/myself', { token: stack.tokens.user });
    expect({ status: after.status, code: after.json().code }).toEqual({ status: 401, code: 'jira_authorization_required' });
    const leaked = authorizationsSeen(other, seenBefore).filter((header) => oldTokens.some((token) => header.includes(token)));
    expect(leaked).toEqual([]);
  });

  it('keeps a new token that comes with the move, and sends only that one', async () => {
    const oldPat = stack.jira.addPersonalAccessToken('jira-service');
    await register('moving-new', { baseUrl: stack.jira.url, serviceToken: oldPat });
    const newPat = other.addPersonalAccessToken('jira-service');
    const seenBefore = other.requests.length;
    await register('moving-new', { baseUrl: other.url, serviceToken: newPat });
    expect(await testConnection('moving-new')).toMatchObject({ ok: true, jiraUser: 'jira-service' });
    const seen = authorizationsSeen(other, seenBefore);
    expect(seen).toContain(`Bearer ${newPat}`);
    expect(seen.filter((header) => header.includes(oldPat))).toEqual([]);
  });

  it('a change within the origin (another context path, a new display name) keeps the token', async () => {
    const pat = stack.jira.addPersonalAccessToken('jira-service');
    await register('staying', { baseUrl: stack.jira.url, serviceToken: pat });
    await register('staying', { baseUrl: `${stack.jira.url}/jira`, displayName: 'Renamed' });
    expect((await storedInstance('staying'))?.encryptedServiceToken).toBeDefined();
    await register('staying', { baseUrl: stack.jira.url });
    expect(await testConnection('staying')).toMatchObject({ ok: true, jiraUser: 'jira-service' });
  });
});
