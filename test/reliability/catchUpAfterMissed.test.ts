import { newGuid } from '../../dev/sandbox/newGuid';
import { queueNames } from '../../shared/platform/storage/queueNames';
import { agent as stackAgent } from '../support/proxyStack';
import { startAppStack, type AppStack } from '../support/appStack';
import { waitFor } from '../support/fanoutStack';

/**
 * Issue 15, hole 5: a catch-up after `missed` must cover every mail since the subscription
 * was last known complete. Mail A's notification is dropped by Graph; mail B, received 20
 * minutes later, is notified and processed as usual (which moves the subscription's
 * "last notification" mark past A); then Graph posts `missed`. A must be notified, and B,
 * listed again by the catch-up, must not be notified twice.
 */

let stack: AppStack;
const MINUTE = 60_000;

beforeAll(async () => {
  stack = await startAppStack();
  await stack.registerInstance('demo');
  stack.jira.state.issues.set('MISS-1', { key: 'MISS-1', summary: 'Catch-up', watchers: ['bob'], reporter: 'alice' });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await stackAgent.close();
});

const outboxWith = (marker: string) => stack.notifications.outbox.filter((entry) => entry.subject.includes(marker));

test('a mail whose notification was dropped, older by 20 minutes than a processed one, is caught up after missed', async () => {
  const conversationId = `AAQkAD-missed-${newGuid()}`;
  const { tenantId, userId } = stack.users;
  expect((await stack.link(stack.tokens.user, { conversationId, instanceId: 'demo', issueKey: 'MISS-1' })).status).toBe(201);
  const subscription = [...stack.graph.state.subscriptions.values()].find((candidate) => candidate.userId === userId)!;

  // A: in the mailbox, but Graph never tells us.
  stack.graph.putMail({ userId, tenantId, conversationId, subject: 'Mail A [dropped]', from: 'ann@example.test', notify: false });
  // B: received 20 minutes after A, notified and processed normally.
  const receivedB = new Date(Date.now() + 20 * MINUTE).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const mailB = stack.graph.putMail({
    userId,
    tenantId,
    conversationId,
    subject: 'Mail B [notified]',
    from: 'ann@example.test',
    receivedDateTime: receivedB,
  });
  await mailB.delivered;
  await waitFor(() => (outboxWith('[notified]').length === 1 ? true : undefined), 'mail B notified');
  await waitFor(async () => {
    const row = await stack.services.repositories.subscriptions.get({ subscriptionId: subscription.id });
    return row?.watermark !== undefined && Date.parse(row.watermark) >= Date.parse(receivedB) ? true : undefined;
  }, 'the processed mail B to be recorded on the subscription');

  const missed = await stack.graph.postLifecycleEvent(subscription.id, 'missed');
  expect(missed?.attempts.at(-1)?.status).toBe(202);
  await waitFor(
    () => (stack.log.lines.some((line) => line.includes('graph lifecycle missed: caughtUp')) ? true : undefined),
    'the catch-up to run',
  );
  const queues = [queueNames.graphLifecycle, queueNames.graphNotifications, queueNames.jiraNotify];
  await waitFor(async () => {
    const counts = await Promise.all(queues.map((queue) => stack.queues.approximateCount(queue)));
    return counts.every((count) => count === 0) ? true : undefined;
  }, 'the catch-up and its fan-out to finish');

  expect(outboxWith('[dropped]')).toHaveLength(1);
  expect(outboxWith('[dropped]')[0]).toMatchObject({ issueKey: 'MISS-1', recipients: ['bob'] });
  // Listed again by the catch-up, B is stopped by the deliveries ledger.
  expect(outboxWith('[notified]')).toHaveLength(1);
}, 90_000);
