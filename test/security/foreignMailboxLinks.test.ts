import { newGuid } from '../../dev/sandbox/newGuid';
import { queueNames } from '../../shared/platform/storage/queueNames';
import { agent as stackAgent } from '../support/proxyStack';
import { startAppStack, type AppStack } from '../support/appStack';
import { waitFor } from '../support/fanoutStack';

/**
 * Issue 15, hole 7: conversation ids are the same in every mailbox of a thread, so user B
 * can link a conversation of user A's. A mail that only A received must reach the watchers
 * of A's links, never those of B's: a mail fans out only through links made by the owner
 * of the mailbox that received it. Issue 16: a shared mailbox's conversation is linked by a
 * member (Graph, asked with the member's own token on-behalf-of, must let them read it there);
 * a non-member cannot link it, and the link carries the shared mailbox's mail only.
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
async function mailTo(userId: string, subject: string, conversation = conversationId): Promise<void> {
  const put = stack.graph.putMail({
    userId,
    tenantId: stack.users.tenantId,
    conversationId: conversation,
    subject,
    from: 'ann@example.test',
  });
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

describe('shared mailboxes', () => {
  const sharedMailbox = newGuid();
  const sharedConversation = `AAQkAD-shared-${newGuid()}`;

  beforeAll(() => {
    // The colleague has full access to the shared mailbox; the user does not.
    stack.graph.state.addSharedMailbox(sharedMailbox, [stack.users.colleagueId]);
    // Already in the shared mailbox, long enough ago that no catch-up takes it for new mail.
    stack.graph.putMail({
      userId: sharedMailbox,
      tenantId: stack.users.tenantId,
      conversationId: sharedConversation,
      subject: 'Order 4711 [shared-old]',
      from: 'customer@example.test',
      receivedDateTime: new Date(Date.now() - 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  });

  const subscribed = (mailbox: string) => [...stack.graph.state.subscriptions.values()].some((s) => s.userId === mailbox);

  test('a non-member cannot link a shared mailbox’s conversation: 403 mailbox_access_denied, nothing stored or subscribed', async () => {
    const reply = await stack.link(stack.tokens.user, {
      conversationId: sharedConversation,
      instanceId: 'demo',
      issueKey: 'OWN-1',
      sharedMailbox,
    });
    expect(reply.status).toBe(403);
    expect(reply.json()).toMatchObject({ code: 'mailbox_access_denied' });
    const listed = await stack.send('GET', `/api/links?conversationId=${encodeURIComponent(sharedConversation)}`, {
      token: stack.tokens.user,
    });
    expect(listed.json()).toEqual({ items: [] });
    expect(subscribed(sharedMailbox)).toBe(false);
  });

  test('a member cannot link a conversation the shared mailbox does not hold: 404 conversation_not_found', async () => {
    const reply = await stack.link(stack.tokens.colleague, { conversationId, instanceId: 'demo', issueKey: 'OWN-2', sharedMailbox });
    expect(reply.status).toBe(404);
    expect(reply.json()).toMatchObject({ code: 'conversation_not_found' });
  });

  test('a member links it: the shared mailbox is subscribed, its new mail notifies the issue’s watchers, the member’s own mail does not go through', async () => {
    stack.jira.state.issues.set('SHARED-1', { key: 'SHARED-1', summary: 'Support case', watchers: ['carol'], reporter: 'alice' });
    const reply = await stack.link(stack.tokens.colleague, {
      conversationId: sharedConversation,
      instanceId: 'demo',
      issueKey: 'SHARED-1',
      sharedMailbox: sharedMailbox.toUpperCase(),
    });
    expect(reply.status).toBe(201);
    expect(reply.json()).toMatchObject({ sharedMailbox, linkedBy: stack.users.colleagueId });
    expect(subscribed(sharedMailbox)).toBe(true);

    const put = stack.graph.putMail({
      userId: sharedMailbox,
      tenantId: stack.users.tenantId,
      conversationId: sharedConversation,
      subject: 'Re: Order 4711 [shared-new]',
      from: 'customer@example.test',
    });
    expect((await put.delivered).map((delivery) => delivery.delivered)).toEqual([true]);
    await waitFor(() => (sent('[shared-new]').length > 0 ? true : undefined), 'the shared mailbox’s mail to be notified', 120_000);
    expect(sent('[shared-new]')).toEqual([expect.objectContaining({ issueKey: 'SHARED-1', recipients: ['carol'] })]);

    // The same conversation in the member's personal mailbox: not the shared mailbox's mail.
    await mailTo(stack.users.colleagueId, 'Re: Order 4711 [member-own]', sharedConversation);
    expect(sent('[member-own]')).toEqual([]);
    expect(sent('[shared-old]')).toEqual([]);
  }, 180_000);
});
