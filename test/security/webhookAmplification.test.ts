import { randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { newGuid } from '../../dev/sandbox/newGuid';
import { fromGraphNotificationPack } from '../../shared/mail/webhooks/fromGraphNotificationPack';
import { graphNotificationsQueueMessageSchema } from '../../shared/mail/webhooks/graphNotificationPack';
import { queueNames } from '../../shared/platform/storage/queueNames';
import { allTableNames, tableNames } from '../../shared/platform/storage/tableNames';
import { agent as stackAgent } from '../support/proxyStack';
import { startAppStack, type AppStack } from '../support/appStack';

/**
 * Issue 15, hole 10: the webhook is anonymous, and every unknown subscription id in a post
 * cost a table read: 1,000 random ids, 1,000 reads. The work unknown ids can cause is
 * bounded now; this counts it where it happens, at the table clients (every HTTP request
 * they send, retries included), not by the clock. Genuine items, in the forged batch or
 * posted by Graph during the flood, are still queued and answered 202.
 */

let stack: AppStack;
let subscriptionId: string;
let clientState: string;
const requests: string[] = [];
const counter: Parameters<TableClient['pipeline']['addPolicy']>[0] = {
  name: 'count-table-requests',
  sendRequest: (request, next) => {
    requests.push(`${request.method} ${new URL(request.url).pathname.split('/')[2] ?? ''}`);
    return next(request);
  },
};

beforeAll(async () => {
  stack = await startAppStack({ queues: false });
  await stack.registerInstance('demo');
  expect(
    (await stack.link(stack.tokens.user, { conversationId: `conv-${newGuid()}`, instanceId: 'demo', issueKey: 'DEMO-1' })).status,
  ).toBe(201);
  const subscription = [...stack.graph.state.subscriptions.values()].find((candidate) => candidate.userId === stack.users.userId)!;
  subscriptionId = subscription.id;
  clientState = subscription.clientState!;
  for (const table of allTableNames) stack.services.tableClients.get(table).pipeline.addPolicy(counter);
}, 60_000);

afterAll(async () => {
  for (const table of allTableNames) stack?.services.tableClients.get(table).pipeline.removePolicy({ name: counter.name });
  await stack?.stop();
  await stackAgent.close();
});

function forgedItems(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, () => {
    const messageId = randomBytes(24).toString('base64url');
    return {
      subscriptionId: newGuid(),
      clientState: randomBytes(32).toString('base64url'),
      changeType: 'created',
      resource: `Users/${newGuid()}/Messages/${messageId}`,
      resourceData: { id: messageId },
      tenantId: stack.users.tenantId,
    };
  });
}

/** Items as Graph posts them for new mails in the user's mailbox (the mails exist; Graph is not asked to post). */
async function genuineItems(count: number): Promise<{ items: Record<string, unknown>[]; mailIds: string[] }> {
  const mailIds: string[] = [];
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i += 1) {
    const { id } = stack.graph.putMail({
      userId: stack.users.userId,
      tenantId: stack.users.tenantId,
      conversationId: 'conv-genuine',
      subject: `genuine ${i}`,
      from: 'ann@example.test',
      notify: false,
    });
    mailIds.push(id);
    items.push(...(await stack.graph.notificationFor(subscriptionId, id)).value);
  }
  expect(items.every((item) => item.clientState === clientState)).toBe(true);
  return { items, mailIds };
}

const post = (value: unknown[]) =>
  stack.send('POST', '/api/graph/notifications', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value }) });

async function queuedMessageIds(): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const batch = await stack.queues.receive(queueNames.graphNotifications, { max: 32, visibilityTimeoutSeconds: 300 });
    if (batch.length === 0) return ids;
    for (const message of batch) {
      // A POST's genuine items of one tenant come as one pack; each item is one notification.
      const parsed = graphNotificationsQueueMessageSchema.parse(message.body);
      ids.push(...(parsed.version === 1 ? [parsed] : fromGraphNotificationPack(parsed)).map((item) => item.messageId));
      await stack.queues.delete(queueNames.graphNotifications, message);
    }
  }
}

const subscriptionReads = () => requests.filter((line) => line.startsWith(`GET ${tableNames.subscriptions}`)).length;

test('a forged batch of 1,000 random subscription ids costs a few table reads; the genuine items in it are queued', async () => {
  const { items, mailIds } = await genuineItems(3);
  const forged = forgedItems(1000 - items.length);
  const batch = [...forged.slice(0, 400), ...items, ...forged.slice(400)];
  requests.length = 0;

  const reply = await post(batch);

  expect(subscriptionReads()).toBeLessThanOrEqual(20);
  expect(reply.status).toBe(202);
  // Everything else the post wrote or read: its queue write (the report counters are summed in memory).
  expect(requests.length).toBeLessThanOrEqual(30);
  expect((await queuedMessageIds()).sort()).toEqual([...mailIds].sort());
});

test('a flood of forged batches: each costs a few reads, and Graph’s genuine post meanwhile gets 202 and is queued', async () => {
  requests.length = 0;
  const genuine = stack.graph.putMail({
    userId: stack.users.userId,
    tenantId: stack.users.tenantId,
    conversationId: 'conv-genuine',
    subject: 'during the flood',
    from: 'ann@example.test',
  });
  const replies = await Promise.all(Array.from({ length: 5 }, () => post(forgedItems(1000))));
  const [delivery] = await genuine.delivered;

  expect(replies.map((reply) => reply.status)).toEqual([202, 202, 202, 202, 202]);
  expect(delivery?.attempts.map((attempt) => attempt.status)).toEqual([202]);
  expect(subscriptionReads()).toBeLessThanOrEqual(5 * 20);
  expect(await queuedMessageIds()).toEqual([genuine.id]);
});
