import { InvocationContext, type Timer } from '@azure/functions';
import { newGuid } from '../../dev/sandbox/newGuid';
import { processLifecycleEvent } from '../../functions/processLifecycleEvent';
import { RENEW_SUBSCRIPTIONS_SCHEDULE, renewSubscriptions } from '../../functions/renewSubscriptions';
import { QueueAdmin } from '../../shared/platform/storage/QueueAdmin';
import { queueNames } from '../../shared/platform/storage/queueNames';
import { graphLifecycleMessageSchema, type GraphLifecycleMessage } from '../../shared/mail/webhooks/graphLifecycleMessage';
import { graphNotificationMessageSchema } from '../../shared/mail/webhooks/graphNotificationMessage';
import { waitFor } from '../support/fanoutStack';
import { startGraphHarness, type GraphHarness } from '../support/graphHarness';

let harness: GraphHarness;
const MINUTE = 60_000;

beforeAll(async () => {
  harness = await startGraphHarness({ subscriptionMinutes: 60, renewalWindowMinutes: 30 });
});
afterAll(() => harness.stop());

function context(logs: string[]): InvocationContext {
  return new InvocationContext({ functionName: 'test', logHandler: (_level, ...args) => logs.push(args.map(String).join(' ')) });
}

const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };

async function runTimer(): Promise<string> {
  const logs: string[] = [];
  await renewSubscriptions(timer, context(logs), harness.services);
  return logs.join('\n');
}

/** Runs processLifecycleEvent on everything queued to graph-lifecycle, as the queue trigger would. */
async function processLifecycleQueue(): Promise<string[]> {
  const logs: string[] = [];
  for (const message of await harness.drain(queueNames.graphLifecycle))
    await processLifecycleEvent(message, context(logs), harness.services);
  return logs;
}

/** A new mailbox of the harness's tenant with one link, so its subscription exists. */
async function linkedMailbox(): Promise<{ user: { tenantId: string; userId: string }; subscriptionId: string }> {
  const user = { tenantId: harness.tenantId, userId: newGuid() };
  const response = await harness.fetchApp('/api/links', {
    method: 'POST',
    body: JSON.stringify({ conversationId: `conv-${newGuid()}`, instanceId: 'demo', issueKey: 'DEMO-1' }),
    user,
  });
  expect(response.status).toBe(201);
  const mailbox = await harness.services.repositories.mailboxes.get(user);
  return { user, subscriptionId: mailbox!.subscriptionId };
}

function unnotifiedMails(userId: string, count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) =>
      harness.simulator.putMail({
        userId,
        tenantId: harness.tenantId,
        conversationId: 'conv-missed',
        subject: `missed ${i}`,
        from: 'ann@example.com',
        notify: false,
      }).id,
  );
}

async function queuedMessageIds(): Promise<string[]> {
  return (await harness.drain(queueNames.graphNotifications)).map((message) => graphNotificationMessageSchema.parse(message).messageId);
}

beforeEach(async () => {
  await harness.drain(queueNames.graphNotifications);
  await harness.drain(queueNames.graphLifecycle);
});

describe('lifecycle events and catch-up', () => {
  test('a missed event after 20 unnotified mails puts all 20 on graph-notifications, and moves the watermark', async () => {
    const { user, subscriptionId } = await linkedMailbox();
    // Long before the subscription: not part of the catch-up.
    harness.simulator.putMail({
      userId: user.userId,
      tenantId: harness.tenantId,
      conversationId: 'old',
      subject: 'old',
      from: 'a@example.com',
      notify: false,
      receivedDateTime: new Date(harness.clock.now() - 3 * 3600_000).toISOString(),
    });
    harness.clock.advance(2 * MINUTE);
    const missed = unnotifiedMails(user.userId, 20);

    const delivery = await harness.simulator.postLifecycleEvent(subscriptionId, 'missed');
    expect(delivery?.attempts.map((attempt) => attempt.status)).toEqual([202]);
    const logs = await processLifecycleQueue();
    expect(logs.join('\n')).toContain('missed: caughtUp, 20 mails queued');

    const queued = (await harness.drain(queueNames.graphNotifications)).map((message) => graphNotificationMessageSchema.parse(message));
    expect(queued.map((message) => message.messageId).sort()).toEqual([...missed].sort());
    for (const message of queued) {
      expect(message).toMatchObject({
        origin: 'catchUp',
        tenantId: harness.tenantId,
        userId: user.userId,
        subscriptionId,
        changeType: 'created',
      });
      expect(message.resourceData?.internetMessageId).toBe(harness.simulator.state.mails.get(message.messageId)?.internetMessageId);
    }
    const row = await harness.services.repositories.subscriptions.get({ subscriptionId });
    const latest = Math.max(...missed.map((id) => Date.parse(harness.simulator.state.mails.get(id)!.receivedDateTime)));
    expect(Date.parse(row!.watermark!)).toBe(latest);
  });

  test('the timer renews what expires within the window; a 404 on renewal recreates the subscription and catches up', async () => {
    expect(RENEW_SUBSCRIPTIONS_SCHEDULE).toBe('0 */15 * * * *');
    const { user, subscriptionId } = await linkedMailbox();
    const firstExpiry = harness.simulator.state.subscriptions.get(subscriptionId)!.expiresAt;

    expect(await runTimer()).toMatch(/renewed 0,/);
    harness.clock.advance(35 * MINUTE);
    expect(await runTimer()).toMatch(/renewed [1-9]/);
    const renewedExpiry = harness.simulator.state.subscriptions.get(subscriptionId)!.expiresAt;
    expect(renewedExpiry).toBeGreaterThan(firstExpiry);
    const renewedRow = await harness.services.repositories.subscriptions.get({ subscriptionId });
    expect(Date.parse(renewedRow!.expiresAt)).toBe(renewedExpiry);
    expect(renewedRow!.renewedAt).toBeDefined();

    // Graph loses the subscription; mails keep arriving, unnotified.
    harness.simulator.removeSubscription(subscriptionId);
    const lost = unnotifiedMails(user.userId, 3);
    const handshakesBefore = harness.simulator.state.handshakes.length;
    harness.clock.advance(35 * MINUTE);
    expect(await runTimer()).toMatch(/recreated [1-9]/);

    const mailbox = await harness.services.repositories.mailboxes.get(user);
    expect(mailbox!.subscriptionId).not.toBe(subscriptionId);
    expect(harness.simulator.state.subscriptions.has(mailbox!.subscriptionId)).toBe(true);
    expect(harness.simulator.state.handshakes.length).toBe(handshakesBefore + 2);
    expect(await harness.services.repositories.subscriptions.get({ subscriptionId })).toBeUndefined();
    const recreated = await harness.services.repositories.subscriptions.get({ subscriptionId: mailbox!.subscriptionId });
    // The new subscription carries on from the old one's watermark.
    expect(recreated!.watermark).toBe(renewedRow!.watermark);

    await processLifecycleQueue();
    expect((await queuedMessageIds()).sort()).toEqual([...lost].sort());
  });

  test('the timer honours 429: what was throttled is left for the next run, which renews it', async () => {
    const { subscriptionId } = await linkedMailbox();
    const first = harness.simulator.state.subscriptions.get(subscriptionId)!.expiresAt;
    harness.clock.advance(35 * MINUTE);
    // Every renewal of this run is throttled (other mailboxes of the tenant are due too).
    harness.simulator.failNext({ status: 429, retryAfterSeconds: 30, count: 100 });
    expect(await runTimer()).toMatch(/renewed 0, recreated 0, removed 0, throttled [1-9]\d*, failed 0/);
    expect(harness.simulator.state.subscriptions.get(subscriptionId)!.expiresAt).toBe(first);
    harness.simulator.state.faults.length = 0;
    expect(await runTimer()).toMatch(/throttled 0, failed 0/);
    expect(harness.simulator.state.subscriptions.get(subscriptionId)!.expiresAt).toBeGreaterThan(first);
  });

  test('subscriptionRemoved recreates and catches up; reauthorizationRequired renews', async () => {
    const { user, subscriptionId } = await linkedMailbox();
    const lost = unnotifiedMails(user.userId, 2);
    await harness.simulator.postLifecycleEvent(subscriptionId, 'subscriptionRemoved');
    expect((await processLifecycleQueue()).join('\n')).toContain('subscriptionRemoved: recreated');
    const replacement = (await harness.services.repositories.mailboxes.get(user))!.subscriptionId;
    expect(replacement).not.toBe(subscriptionId);
    expect((await processLifecycleQueue()).join('\n')).toContain('missed: caughtUp');
    expect((await queuedMessageIds()).sort()).toEqual([...lost].sort());

    // A repeat of the event for the old subscription is a no-op.
    const repeat: GraphLifecycleMessage = {
      version: 1,
      tenantId: harness.tenantId,
      subscriptionId,
      userId: user.userId,
      lifecycleEvent: 'subscriptionRemoved',
      receivedAt: new Date().toISOString(),
    };
    const logs: string[] = [];
    await processLifecycleEvent(repeat, context(logs), harness.services);
    expect(logs.join('\n')).toContain('unknownSubscription');

    const before = harness.simulator.state.subscriptions.get(replacement)!.expiresAt;
    harness.clock.advance(MINUTE);
    await harness.simulator.postLifecycleEvent(replacement, 'reauthorizationRequired');
    expect((await processLifecycleQueue()).join('\n')).toContain('reauthorizationRequired: renewed');
    expect(harness.simulator.state.subscriptions.get(replacement)!.expiresAt).toBeGreaterThan(before);
  });

  test('throttled while handling an event: the message goes back, hidden for Retry-After, and the run succeeds', async () => {
    const { user, subscriptionId } = await linkedMailbox();
    harness.simulator.failNext({ status: 429, retryAfterSeconds: 120 });
    const message: GraphLifecycleMessage = {
      version: 1,
      tenantId: harness.tenantId,
      subscriptionId,
      userId: user.userId,
      lifecycleEvent: 'missed',
      receivedAt: new Date().toISOString(),
    };
    const logs: string[] = [];
    await processLifecycleEvent(message, context(logs), harness.services);
    expect(logs.join('\n')).toContain('put back for 120 s');
    // Linking queued the mailbox's first catch-up, hidden for a few seconds (issue 16): once it
    // shows and is taken, only the copy put back for Graph's Retry-After is still hidden.
    // (Earlier tests' links queued theirs too.)
    const drained: unknown[] = [];
    const ours = () => drained.filter((body) => (body as { subscriptionId?: string }).subscriptionId === subscriptionId);
    await waitFor(async () => {
      drained.push(...(await harness.drain(queueNames.graphLifecycle)));
      return ours().length > 0 ? true : undefined;
    }, 'the first catch-up of the link to show');
    expect(ours()).toEqual([expect.objectContaining({ lifecycleEvent: 'missed' })]);
    expect(ours()).not.toContainEqual(message);
    expect(await new QueueAdmin({ queues: harness.services.queueClients }).approximateCount(queueNames.graphLifecycle)).toBe(1);
    expect(graphLifecycleMessageSchema.safeParse(message).success).toBe(true);
  });

  test('a malformed lifecycle message fails (toward the poison queue) instead of vanishing', async () => {
    await expect(processLifecycleEvent({ lifecycleEvent: 'missed' }, context([]), harness.services)).rejects.toMatchObject({
      code: 'invalid_body',
    });
  });
});
