import { newGuid } from '../../dev/sandbox/newGuid';
import type { LinkEntity } from '../../shared/platform/storage/links/linkEntity';
import { agent as stackAgent } from '../support/proxyStack';
import { startAppStack, type AppStack } from '../support/appStack';

/**
 * Issue 15, hole 8: linking made Jira mail an issue's watchers content the linking user
 * chose, whether or not that user had any access to Jira (Jira-branded phishing). Linking
 * now asks Jira, with the user's own authorization, for the issue: no authorization is 401
 * `jira_authorization_required` (with the start URL, as the proxy answers); an issue Jira
 * does not show the user (404, which is also what Jira Server answers without the Browse
 * permission) or refuses (403) is a problem of its own; in every refusal nothing is stored
 * and no mailbox is subscribed.
 */

let stack: AppStack;

beforeAll(async () => {
  stack = await startAppStack({ queues: false });
  await stack.registerInstance('demo');
  stack.jira.state.issues.set('SEC-1', { key: 'SEC-1', summary: 'Restricted', watchers: ['bob', 'carol'], reporter: 'bob' });
  // Alice may not see SEC-1; the instance's service user may.
  stack.jira.state.denyBrowse('SEC-1', 'alice');
  expect((await stack.authorize(stack.tokens.user, 'demo', 'alice')).status).toBe(200);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await stackAgent.close();
});

async function linksOf(conversationId: string): Promise<LinkEntity[]> {
  const found: LinkEntity[] = [];
  for await (const link of stack.services.repositories.links.listByConversation(stack.users.tenantId, conversationId)) found.push(link);
  return found;
}

const subscribed = (userId: string) => [...stack.graph.state.subscriptions.values()].some((subscription) => subscription.userId === userId);

test('a user who never authorized the app in Jira cannot link: 401 jira_authorization_required with the start URL, nothing stored', async () => {
  const conversationId = `conv-${newGuid()}`;
  const reply = await stack.link(stack.tokens.colleague, { conversationId, instanceId: 'demo', issueKey: 'DEMO-1' }, { jiraUser: false });
  expect(reply.status).toBe(401);
  expect(reply.headers['content-type']).toBe('application/problem+json');
  expect(reply.json()).toMatchObject({ code: 'jira_authorization_required', startUrl: `${stack.url}/api/jira/demo/oauth/start` });
  expect(await linksOf(conversationId)).toEqual([]);
  expect(subscribed(stack.users.colleagueId)).toBe(false);
  expect(stack.notifications.outbox).toEqual([]);
});

test('an issue Jira does not show the user: 404 jira_issue_not_found, nothing stored', async () => {
  for (const issueKey of ['SEC-1', 'NOPE-404']) {
    const conversationId = `conv-${newGuid()}`;
    const reply = await stack.link(stack.tokens.user, { conversationId, instanceId: 'demo', issueKey });
    expect(reply.status).toBe(404);
    expect(reply.json()).toMatchObject({ code: 'jira_issue_not_found' });
    expect(await linksOf(conversationId)).toEqual([]);
  }
  expect(subscribed(stack.users.userId)).toBe(false);
});

test('Jira refusing the user the issue (403): 403 jira_issue_forbidden, nothing stored', async () => {
  const conversationId = `conv-${newGuid()}`;
  stack.jira.fail({ status: 403, count: 1 });
  const reply = await stack.link(stack.tokens.user, { conversationId, instanceId: 'demo', issueKey: 'DEMO-2' });
  expect(reply.status).toBe(403);
  expect(reply.json()).toMatchObject({ code: 'jira_issue_forbidden' });
  expect(await linksOf(conversationId)).toEqual([]);
});

test('an issue the user can browse links, and Jira was asked as that user, not as the service user', async () => {
  const conversationId = `conv-${newGuid()}`;
  stack.jira.clearRequests();
  const reply = await stack.link(stack.tokens.user, { conversationId, instanceId: 'demo', issueKey: 'DEMO-1' });
  expect(reply.status).toBe(201);
  expect(await linksOf(conversationId)).toHaveLength(1);
  const checks = stack.jira.requests.filter((request) => request.url.startsWith('/rest/api/2/issue/DEMO-1'));
  expect(checks).toHaveLength(1);
  expect(checks[0]).toMatchObject({ method: 'GET', auth: { kind: 'oauth', user: 'alice' }, status: 200 });
});
