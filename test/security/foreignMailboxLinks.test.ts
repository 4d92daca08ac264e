import { newGuid } from '../../dev/sandbox/newGuid';
import { queueNames } from '../../shared/platform/storage/queueNames';
import { agent as stackAgent } from '../support/proxyStack';
import { startAppStack, type AppStack } from '../support/appStack';
import { waitFor } from '../support/fanoutStack';

/**
 * Issue 15, hole 7: conversation ids are the same in every mailbox of a thread, so user B
 * can link a conversation of user A's. A mail that only A received must reach the watchers
 * of A's links, never those of B's: a mail fans out only through links made by the owner
 * of the mailbox that received it. (Shared mailboxes are a later feature: owner only.)
 */

let stack: AppStack;
const conversationId = `AAQkAD-private-${newGuid()}`;

beforeAll(async () => {
  stack = await startAppStack();
  await stack.registerInstance('demo');
  stack.jira.state.issues.set('OWN-1', { key: 'OWN-1', summary: 'A’s issue', watchers: ['bob'], reporter: 'alice' });
  stack.jira.state.issues.set('OWN-2', { key: 'OWN-2', summary: 'B’s issue', watchers: ['carol'], reporter: 'alice' });
  // A links the conversation to OWN-1; B, the colleague, links the very same conversation id to OWN-2.
  expect((await stack.link(stack.tokens.user, { conversationId, instanceId: 'demo', issueKey: 'OWN-1' })).status).toBe(201);
  expect((await stack.link(stack.tokens.colleague, { conversationId, instanceId: 'demo', issueKey: 'OWN-2' })).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await stackAgent.close();
});

/** A mail that reached one mailbox only; answers once the app has nothing left to do for it. */
async function mailTo(userId: string, subject: string): Promise<void> {
  const put = stack.graph.putMail({ userId, tenantId: stack.users.tenantId, conversationId, subject, from: 'ann@example.test' });
  expect((await put.delivered).map((delivery) => delivery.delivered)).toEqual([true]);
  await waitFor(async () => {
    const counts = await Promise.all(
      [queueNames.graphNotifications, queueNames.jiraNotify].map((queue) => stack.queues.approximateCount(queue)),
    );
    return counts.every((count) => count === 0) ? true : undefined;
  }, `the fan-out of "${subject}" to finish`);
}

const sent = (marker: string) => stack.notifications.outbox.filter((entry) => entry.subject.includes(marker));

test('a mail only A received is sent to the watchers of A’s link, not to those of B’s link of the same conversation', async () => {
  await mailTo(stack.users.userId, 'Salary review [only-a]');
  expect(sent('[only-a]').map((entry) => entry.issueKey)).toEqual(['OWN-1']);
});

test('and a mail only B received goes through B’s link alone', async () => {
  await mailTo(stack.users.colleagueId, 'Team lunch [only-b]');
  expect(sent('[only-b]').map((entry) => entry.issueKey)).toEqual(['OWN-2']);
});
