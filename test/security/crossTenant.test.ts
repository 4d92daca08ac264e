import type { Dispatcher } from 'undici';
import { startJiraSimulator, type JiraSimulator } from '../../dev/sandbox/jira/startJiraSimulator';
import { agent as stackAgent } from '../support/proxyStack';
import { SERVICE_USER, startAppStack, type AppStack } from '../support/appStack';
import { Browser, runConsent } from '../support/browser';

/**
 * Tenant A has the instances `demo` and `shared`, an authorized user, a link, a license
 * decision and a pending OAuth authorization. Tenant B (its admin and a user) has its own
 * `shared` on another Jira, and tries every route that takes an id against A's: each
 * read finds nothing (or only B's own), each write lands in B's partition or nowhere, and
 * afterwards A's records are byte for byte as they were and A's Jira never heard from B.
 */

let stack: AppStack;
let otherJira: JiraSimulator;
const conversationId = 'AAQkADA-shared-conversation/+=';
let pendingCallback: URL;
/** The colleague's Office dialog, which began A's pending authorization. */
let pendingBrowser: Browser;

interface Snapshot {
  instances: unknown[];
  links: unknown[];
  token: unknown;
}

async function snapshotOfA(): Promise<Snapshot> {
  const { repositories } = stack.services;
  const { tenantId, userId } = stack.users;
  const instances = await Promise.all(['demo', 'shared'].map((instanceId) => repositories.instances.get({ tenantId, instanceId })));
  const links: unknown[] = [];
  for await (const link of repositories.links.listByConversation(tenantId, conversationId)) links.push(link);
  return { instances, links, token: await repositories.jiraTokens.access.get({ tenantId, userId, instanceId: 'demo' }) };
}

let before: Snapshot;
let jiraRequestsBefore: number;

beforeAll(async () => {
  stack = await startAppStack({ queues: false });
  otherJira = await startJiraSimulator();
  // Tenant A.
  await stack.registerInstance('demo');
  await stack.registerInstance('shared');
  expect((await stack.authorize(stack.tokens.user, 'demo', 'alice')).status).toBe(200);
  expect((await stack.link(stack.tokens.user, { conversationId, instanceId: 'demo', issueKey: 'DEMO-1' })).status).toBe(201);
  expect((await stack.send('GET', '/api/licenses/demo', { token: stack.tokens.user })).status).toBe(200);
  const started = await stack.send('POST', '/api/jira/demo/oauth/start', { token: stack.tokens.colleague });
  pendingBrowser = new Browser({ origin: stack.url, send: stack.send });
  const begun = await pendingBrowser.open(String(started.json().authorizeUrl));
  pendingCallback = new URL(
    stack.jira.approve(new URL(String(begun.headers.location)).searchParams.get('oauth_token') ?? '', 'carol').callbackUrl,
  );
  // Tenant B: its own `shared`, on another Jira, authorized for its user there.
  const view = await stack.registerInstance('shared', { adminToken: stack.tokens.otherTenantAdmin, baseUrl: otherJira.url });
  otherJira.registerConsumer({
    consumerKey: String(view.consumerKey),
    publicKeyPem: String(view.publicKeyPem),
    twoLeggedUser: SERVICE_USER,
    allowImpersonation: true,
  });
  stack.jira.state.consumers.delete(String(view.consumerKey));
  const startedB = await stack.send('POST', '/api/jira/shared/oauth/start', { token: stack.tokens.otherTenantUser });
  const { callback: callbackB } = await runConsent(
    new Browser({ origin: stack.url, send: stack.send }),
    String(startedB.json().authorizeUrl),
    otherJira,
    'bob',
  );
  expect(callbackB.status).toBe(200);

  before = await snapshotOfA();
  jiraRequestsBefore = stack.jira.requests.length;
}, 90_000);

afterAll(async () => {
  await otherJira?.stop();
  await stack?.stop();
  await stackAgent.close();
});

interface Case {
  name: string;
  method: Dispatcher.HttpMethod;
  path: string;
  as: 'otherTenantUser' | 'otherTenantAdmin' | 'colleague';
  body?: unknown;
  status: number;
  code?: string;
  /** What else must hold of the answer. */
  check?: (json: Record<string, unknown>, text: string) => void;
}

const aConsumerKeys = () => (before.instances as { consumerKey: string }[]).map((instance) => instance.consumerKey);
const notA = (text: string) => {
  for (const key of aConsumerKeys()) expect(text).not.toContain(key);
  expect(text).not.toContain(stack.jira.url);
};

const cases: Case[] = [
  // Instances (admin API).
  {
    name: 'list instances',
    method: 'GET',
    path: '/api/manage/instances',
    as: 'otherTenantAdmin',
    status: 200,
    check: (json, text) => {
      expect((json.items as { instanceId: string }[]).map((instance) => instance.instanceId)).toEqual(['shared']);
      notA(text);
    },
  },
  {
    name: "read A's demo",
    method: 'GET',
    path: '/api/manage/instances/demo',
    as: 'otherTenantAdmin',
    status: 404,
    code: 'instance_not_found',
  },
  {
    name: 'read shared: only its own',
    method: 'GET',
    path: '/api/manage/instances/shared',
    as: 'otherTenantAdmin',
    status: 200,
    check: (json, text) => {
      expect(json.baseUrl).toBe(otherJira.url);
      notA(text);
    },
  },
  {
    name: "remove A's demo",
    method: 'DELETE',
    path: '/api/manage/instances/demo',
    as: 'otherTenantAdmin',
    status: 404,
    code: 'instance_not_found',
  },
  {
    name: 'remove with a user token',
    method: 'DELETE',
    path: '/api/manage/instances/shared',
    as: 'otherTenantUser',
    status: 403,
    code: 'admin_role_required',
  },
  // Licenses.
  {
    name: "license of A's demo",
    method: 'GET',
    path: '/api/licenses/demo',
    as: 'otherTenantUser',
    status: 404,
    code: 'instance_not_found',
  },
  // Proxy.
  {
    name: "proxy to A's demo",
    method: 'GET',
    path: '/api/jira/demo/proxy/rest/api/2/myself',
    as: 'otherTenantUser',
    status: 404,
    code: 'instance_not_found',
  },
  {
    name: "write through A's demo",
    method: 'POST',
    path: '/api/jira/demo/proxy/rest/api/2/issue',
    as: 'otherTenantUser',
    body: { fields: { summary: 'x' } },
    status: 404,
    code: 'instance_not_found',
  },
  {
    name: 'proxy to shared reaches only its own Jira',
    method: 'GET',
    path: '/api/jira/shared/proxy/rest/api/2/myself',
    as: 'otherTenantUser',
    status: 200,
    check: (json) => expect(json.name).toBe('bob'),
  },
  {
    name: "A's token is not a colleague's",
    method: 'GET',
    path: '/api/jira/demo/proxy/rest/api/2/myself',
    as: 'colleague',
    status: 401,
    code: 'jira_authorization_required',
  },
  // OAuth start.
  {
    name: "authorize A's demo",
    method: 'POST',
    path: '/api/jira/demo/oauth/start',
    as: 'otherTenantUser',
    status: 404,
    code: 'instance_not_found',
  },
  // Links.
  {
    name: "list A's conversation",
    method: 'GET',
    path: `/api/links?conversationId=${encodeURIComponent(conversationId)}`,
    as: 'otherTenantUser',
    status: 200,
    check: (json) => expect(json.items).toEqual([]),
  },
  {
    name: "link to A's demo",
    method: 'POST',
    path: '/api/links',
    as: 'otherTenantUser',
    body: { conversationId, instanceId: 'demo', issueKey: 'DEMO-1' },
    status: 404,
    code: 'instance_not_found',
  },
  {
    name: "unlink A's link",
    method: 'DELETE',
    path: `/api/links?conversationId=${encodeURIComponent(conversationId)}&instanceId=demo&issueKey=DEMO-1`,
    as: 'otherTenantUser',
    status: 404,
    code: 'link_not_found',
  },
  {
    name: 'link the same conversation id to its own instance',
    method: 'POST',
    path: '/api/links',
    as: 'otherTenantUser',
    body: { conversationId, instanceId: 'shared', issueKey: 'DEMO-2' },
    status: 201,
  },
  // The administration panel's endpoints, opened with the admin bearer token.
  ...(['session', 'secret', 'test-connection', 'replay-poison'] as const).map((name): Case => ({
    name: `panel ${name} on A's demo`,
    method: 'POST',
    path: `/api/manage/panel/${name}?instanceId=demo`,
    as: 'otherTenantAdmin',
    ...(name === 'replay-poison' ? { body: { queue: 'jira-notify' } } : {}),
    status: 404,
    code: 'instance_not_found',
  })),
  ...(['overview', 'report', 'subscriptions', 'links'] as const).map((name): Case => ({
    name: `panel ${name} of A's demo`,
    method: 'GET',
    path: `/api/manage/panel/${name}?instanceId=demo`,
    as: 'otherTenantAdmin',
    status: 404,
    code: 'instance_not_found',
  })),
  // Last: B registers an instance under A's id. It is B's own; A's is untouched.
  {
    name: "register under A's id",
    method: 'PUT',
    path: '/api/manage/instances/demo',
    as: 'otherTenantAdmin',
    body: { baseUrl: 'http://127.0.0.1:9', displayName: 'B demo' },
    status: 201,
    check: (json, text) => {
      expect(json.baseUrl).toBe('http://127.0.0.1:9');
      notA(text);
    },
  },
];

describe('tenant B against tenant A on every route that takes an id', () => {
  it.each(cases.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    const reply = await stack.send(testCase.method, testCase.path, {
      token: stack.tokens[testCase.as],
      ...(testCase.body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(testCase.body) }),
    });
    expect({ status: reply.status, code: testCase.code === undefined ? undefined : reply.json().code }).toEqual({
      status: testCase.status,
      code: testCase.code,
    });
    if (reply.status >= 400) expect(reply.headers['content-type']).toBe('application/problem+json');
    notA(reply.text);
    testCase.check?.(reply.status === 204 ? {} : reply.json(), reply.text);
  });

  it("a callback of A's pending authorization, sent with B's tenant, is refused and leaves it usable", async () => {
    const forged = new URL(pendingCallback);
    forged.searchParams.set('tenant', stack.users.otherTenantId);
    // In the very browser that began it, so only the tenant is wrong.
    const refused = await pendingBrowser.open(forged.toString());
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('oauth_request_token_invalid');
    expect(
      await stack.services.repositories.jiraTokens.access.get({
        tenantId: stack.users.otherTenantId,
        userId: stack.users.colleagueId,
        instanceId: 'demo',
      }),
    ).toBeUndefined();
    const genuine = await pendingBrowser.open(pendingCallback.toString());
    expect(genuine.status).toBe(200);
  });

  it("leaves every record of A as it was, and A's Jira heard nothing from B", async () => {
    const after = await snapshotOfA();
    expect(after.instances).toEqual(before.instances);
    expect(after.links).toEqual(before.links);
    expect(after.token).toEqual(before.token);
    // The only calls A's Jira got since: the access-token exchange of A's own pending authorization, and whose it is.
    expect(stack.jira.requests.slice(jiraRequestsBefore).map((request) => request.url.split('?')[0])).toEqual([
      '/plugins/servlet/oauth/access-token',
      '/rest/api/2/myself',
    ]);
    const stillWorks = await stack.send('GET', '/api/jira/demo/proxy/rest/api/2/myself', { token: stack.tokens.user });
    expect(stillWorks.json().name).toBe('alice');
  });
});
