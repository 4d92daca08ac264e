import { randomBytes } from 'node:crypto';
import { agent as stackAgent } from '../support/proxyStack';
import { queueNames, type QueueName } from '../../shared/platform/storage/queueNames';
import type { GraphLifecycleMessage } from '../../shared/mail/webhooks/graphLifecycleMessage';
import type { GraphNotificationMessage } from '../../shared/mail/webhooks/graphNotificationMessage';
import { startAppStack, type AppStack } from '../support/appStack';

/**
 * Graph's webhooks are anonymous: only the subscription id and its clientState say a post
 * is Graph's. Tenants A and B each have a real subscription (made by linking, with Graph's
 * validation handshake); then forged batches arrive. Whatever the forgery, nothing is
 * queued for it, a queued message always names the tenant and mailbox of our own
 * subscription row (never what the post claims), and no clientState is ever logged.
 */

let stack: AppStack;
interface Subscribed {
  subscriptionId: string;
  clientState: string;
  userId: string;
  tenantId: string;
}
let a: Subscribed;
let b: Subscribed;
let mailId: string;
/** What someone who has read the `subscriptions` table holds: the hash, never the clientState itself. */
let storedHashOfA: string;

function subscriptionOf(userId: string): Subscribed {
  const found = [...stack.graph.state.subscriptions.values()].find((subscription) => subscription.userId === userId);
  if (!found?.clientState) throw new Error(`no subscription for ${userId}`);
  return { subscriptionId: found.id, clientState: found.clientState, userId, tenantId: found.tenantId };
}

beforeAll(async () => {
  stack = await startAppStack({ queues: false });
  await stack.registerInstance('demo');
  await stack.registerInstance('demo', { adminToken: stack.tokens.otherTenantAdmin });
  expect((await stack.link(stack.tokens.user, { conversationId: 'conv-a', instanceId: 'demo', issueKey: 'DEMO-1' })).status).toBe(201);
  expect(
    (await stack.link(stack.tokens.otherTenantUser, { conversationId: 'conv-b', instanceId: 'demo', issueKey: 'DEMO-2' })).status,
  ).toBe(201);
  a = subscriptionOf(stack.users.userId);
  b = subscriptionOf(stack.users.otherTenantUserId);
  const row = await stack.services.repositories.subscriptions.get({ subscriptionId: a.subscriptionId });
  if (!row) throw new Error('no subscription row for A');
  storedHashOfA = row.clientStateHash;
  mailId = stack.graph.putMail({
    userId: a.userId,
    tenantId: a.tenantId,
    conversationId: 'conv-a',
    subject: 'Secret plans',
    from: 'ann@example.test',
    notify: false,
  }).id;
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await stackAgent.close();
});

async function drain(queue: QueueName): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (;;) {
    const batch = await stack.queues.receive(queue, { max: 32, visibilityTimeoutSeconds: 300 });
    if (batch.length === 0) return bodies;
    for (const message of batch) {
      bodies.push(message.body);
      await stack.queues.delete(queue, message);
    }
  }
}

/** What Graph posts for A's mail to A's subscription, as the starting point of each forgery. */
async function genuineItem(): Promise<Record<string, unknown>> {
  const payload = await stack.graph.notificationFor(a.subscriptionId, mailId);
  return { ...payload.value[0] };
}

type Forgery = (item: Record<string, unknown>) => Record<string, unknown>[];

const forgeries: [string, Forgery][] = [
  ['a wrong clientState', (item) => [{ ...item, clientState: randomBytes(32).toString('base64url') }]],
  ['clientState null', (item) => [{ ...item, clientState: null }]],
  ['no clientState', ({ clientState: _dropped, ...item }) => [item]],
  ['an empty clientState', (item) => [{ ...item, clientState: '' }]],
  ["B's clientState on A's subscription", (item) => [{ ...item, clientState: b.clientState }]],
  ["A's clientState on B's subscription", (item) => [{ ...item, subscriptionId: b.subscriptionId }]],
  ['an unknown subscription with A’s clientState', (item) => [{ ...item, subscriptionId: '3f3c7c1e-0000-4000-8000-000000000000' }]],
  ['the clientState upper-cased', (item) => [{ ...item, clientState: a.clientState.toUpperCase() }]],
  ['the clientState with a trailing space', (item) => [{ ...item, clientState: `${a.clientState} ` }]],
  ['the clientState as a prefix of a longer one', (item) => [{ ...item, clientState: `${a.clientState}x` }]],
  ["the stored hash of A's clientState", (item) => [{ ...item, clientState: storedHashOfA }]],
  ['a 10 KB clientState', (item) => [{ ...item, clientState: 'x'.repeat(10 * 1024) }]],
  ['the clientState as a number', (item) => [{ ...item, clientState: 12345 }]],
  [
    'a thousand guesses in one batch',
    (item) =>
      Array.from({ length: 1000 }, (_, index) => ({
        ...item,
        clientState: `guess-${index}`,
        resource: `${String(item.resource)}-${index}`,
      })),
  ],
];

describe('forged clientState on the change notification webhook', () => {
  it('queues the genuine notification (the control case)', async () => {
    const reply = await stack.send('POST', '/api/graph/notifications', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: [await genuineItem()] }),
    });
    expect(reply.status).toBe(202);
    expect(await drain(queueNames.graphNotifications)).toEqual([
      expect.objectContaining({ tenantId: a.tenantId, subscriptionId: a.subscriptionId, userId: a.userId, messageId: mailId }),
    ]);
  });

  it.each(forgeries)('%s: nothing is queued', async (_name, forge) => {
    const reply = await stack.send('POST', '/api/graph/notifications', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: forge(await genuineItem()) }),
    });
    // 202 (Graph must not retry a forgery) or 400 for an envelope the schema refuses; never 5xx.
    expect([202, 400]).toContain(reply.status);
    expect(await drain(queueNames.graphNotifications)).toEqual([]);
  });

  it('takes tenant and mailbox from our subscription row, never from the post', async () => {
    const item = await genuineItem();
    const forged = {
      ...item,
      tenantId: b.tenantId,
      resource: `Users/${b.userId}/Messages/${mailId}`,
      resourceData: { ...(item.resourceData as object), id: mailId },
    };
    expect(
      (
        await stack.send('POST', '/api/graph/notifications', {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ value: [forged] }),
        })
      ).status,
    ).toBe(202);
    const queued = (await drain(queueNames.graphNotifications)) as GraphNotificationMessage[];
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ tenantId: a.tenantId, userId: a.userId, subscriptionId: a.subscriptionId });
  });

  it('a forged copy placed before the genuine item does not displace it', async () => {
    const item = await genuineItem();
    const reply = await stack.send('POST', '/api/graph/notifications', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: [{ ...item, clientState: 'forged' }, item] }),
    });
    expect(reply.status).toBe(202);
    expect(await drain(queueNames.graphNotifications)).toHaveLength(1);
  });
});

describe('forged clientState on the lifecycle webhook', () => {
  const lifecycle = (subscription: Subscribed, clientState: unknown, lifecycleEvent: string) => ({
    value: [
      {
        subscriptionId: subscription.subscriptionId,
        subscriptionExpirationDateTime: new Date(Date.now() + 3600_000).toISOString(),
        tenantId: subscription.tenantId,
        clientState,
        lifecycleEvent,
      },
    ],
  });

  it.each([
    ['reauthorizationRequired with a wrong clientState', () => lifecycle(a, 'wrong', 'reauthorizationRequired')],
    ['subscriptionRemoved with B’s clientState', () => lifecycle(a, b.clientState, 'subscriptionRemoved')],
    ['missed without a clientState', () => lifecycle(a, null, 'missed')],
    ["missed with the stored hash of A's clientState", () => lifecycle(a, storedHashOfA, 'missed')],
  ])('%s: nothing is queued and the subscription stays', async (_name, body) => {
    const posted = Date.now();
    const reply = await stack.send('POST', '/api/graph/lifecycle', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body()),
    });
    expect([202, 400]).toContain(reply.status);
    // The app's own first catch-up of each new subscription comes due on this queue after a
    // delay, stamped when it was queued (before this test): only what this post queued counts.
    const queuedByThePost = (await drain(queueNames.graphLifecycle)).filter(
      (body) => Date.parse(String((body as { receivedAt?: unknown }).receivedAt)) >= posted,
    );
    expect(queuedByThePost).toEqual([]);
    expect(await stack.services.repositories.subscriptions.get({ subscriptionId: a.subscriptionId })).toBeDefined();
  });

  it('queues the genuine event (the control case)', async () => {
    const reply = await stack.send('POST', '/api/graph/lifecycle', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(lifecycle(a, a.clientState, 'missed')),
    });
    expect(reply.status).toBe(202);
    const queued = (await drain(queueNames.graphLifecycle)) as GraphLifecycleMessage[];
    expect(queued).toEqual([expect.objectContaining({ tenantId: a.tenantId, subscriptionId: a.subscriptionId, lifecycleEvent: 'missed' })]);
  });
});

describe('the log of all of the above', () => {
  it('holds no clientState, genuine or forged', () => {
    const text = stack.log.lines.join('\n');
    for (const secret of [a.clientState, b.clientState]) expect(text).not.toContain(secret);
    expect(text).not.toContain('guess-');
  });
});
