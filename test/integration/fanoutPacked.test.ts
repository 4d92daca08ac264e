import { replayPoisonMessages } from '../../shared/mail/fanout/replayPoisonMessages';
import { jiraNotifyQueueMessageSchema } from '../../shared/mail/fanout/jiraNotifyPack';
import { graphNotificationsQueueMessageSchema } from '../../shared/mail/webhooks/graphNotificationPack';
import { poisonQueueName, queueNames } from '../../shared/platform/storage/queueNames';
import { FANOUT_CLIENT_STATE, startFanoutStack, waitFor, type FanoutStack, type Scenario } from '../support/fanoutStack';

/**
 * Packed queue messages end to end: Graph posts several notifications in one batch to the
 * webhook, which queues them as one `graph-notifications` message; the local host's pollers
 * run the fan-out and the notify step, which queues one `jira-notify` message per mail. One
 * item failing does not hold the others back: they are notified once, the failing one is
 * retried alone, poisoned alone past the host's limit, and delivered after a replay.
 */
describe('packed messages: each item processed, retried and poisoned on its own', () => {
  let stack: FanoutStack;

  beforeAll(async () => {
    // Short backoffs, so an item put back alone comes round in seconds.
    // The production lease (`DELIVERY_LEASE` 5m): longer than a Jira call's timeouts, so the
    // counts below hold no lease renewal (a lease shorter than a call is renewed first).
    stack = await startFanoutStack({ webhook: true, env: { NOTIFY_RETRY_MAX_DELAY: '2s', DELIVERY_LEASE: '5m' } });
  });
  afterAll(() => stack?.stop());

  const requests = (key: string) => stack.services.storageRequests.snapshot()[key] ?? 0;
  const outbox = (issueKeys: readonly string[]) => stack.notifications.outbox.filter((entry) => issueKeys.includes(entry.issueKey));
  const mailIdOf = (entry: { subject: string }, subjects: readonly string[]) => subjects.find((subject) => entry.subject.endsWith(subject));

  /** Graph's POST for these mails of the scenario's mailbox, as it would send them (no rich content: the fan-out reads each). */
  async function post(scenario: Scenario, mailIds: readonly string[]): Promise<number> {
    const value = mailIds.map((id) => ({
      subscriptionId: scenario.subscriptionId,
      subscriptionExpirationDateTime: new Date(Date.now() + 3_600_000).toISOString(),
      changeType: 'created',
      resource: `Users/${scenario.userId}/Messages/${id}`,
      resourceData: { '@odata.type': '#Microsoft.Graph.Message', '@odata.id': `Users/${scenario.userId}/Messages/${id}`, id },
      clientState: FANOUT_CLIENT_STATE,
      tenantId: scenario.tenantId,
    }));
    const response = await fetch(`${stack.host!.url}/api/graph/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value }),
    });
    return response.status;
  }

  async function queuesEmpty(): Promise<boolean | undefined> {
    const queued = (await stack.count(queueNames.graphNotifications)) + (await stack.count(queueNames.jiraNotify));
    return queued === 0 ? true : undefined;
  }

  it('a mail Graph fails to read: the other mails of the pack notified once each, that one retried alone, poisoned alone, replayed', async () => {
    const scenario = await stack.newScenario();
    const issues = ['PACK-1', 'PACK-2'];
    stack.addIssue('PACK-1', ['bob']);
    stack.addIssue('PACK-2', ['carol']);
    for (const issueKey of issues) await stack.link(scenario, issueKey);
    const subjects = ['Pack mail one', 'Pack mail two', 'Pack mail three'];
    const mails = subjects.map((subject) => stack.mail(scenario, { from: 'alice@example.test', subject }));
    const failing = mails[1]!.messageId;
    // Graph answers 500 for that one mail, for its try in the pack and the host's 5 tries alone.
    stack.graph.state.faults.push({ status: 500, retryAfterSeconds: undefined, remaining: 6, scope: 'graph', messageId: failing });

    const putsBefore = requests(`POST ${queueNames.graphNotifications}/messages`);
    const notifyPutsBefore = requests(`POST ${queueNames.jiraNotify}/messages`);
    expect(
      await post(
        scenario,
        mails.map((mail) => mail.messageId),
      ),
    ).toBe(202);
    // One queue write for the three notifications of the POST.
    expect(requests(`POST ${queueNames.graphNotifications}/messages`) - putsBefore).toBe(1);

    const poison = poisonQueueName(queueNames.graphNotifications);
    await waitFor(
      async () => ((await stack.count(poison)) === 1 ? true : undefined),
      'the failing notification in the poison queue',
      90_000,
    );
    const [poisoned] = await stack.admin.peek(poison);
    // Alone, as the version 1 message replay-poison and the panel read, naming its tenant.
    expect(graphNotificationsQueueMessageSchema.parse(poisoned?.body)).toMatchObject({
      version: 1,
      tenantId: scenario.tenantId,
      messageId: failing,
      userId: scenario.userId,
    });
    await waitFor(queuesEmpty, 'both queues empty');
    const failingPath = `/messages/${failing}`;
    expect(stack.graph.state.graphRequests.filter((request) => decodeURIComponent(request.path).endsWith(failingPath))).toHaveLength(6);

    // The two good mails: one notification per issue each, from one jira-notify message per mail.
    const sent = outbox(issues);
    expect(sent.map((entry) => `${entry.issueKey} ${mailIdOf(entry, subjects)}`).sort()).toEqual([
      'PACK-1 Pack mail one',
      'PACK-1 Pack mail three',
      'PACK-2 Pack mail one',
      'PACK-2 Pack mail three',
    ]);
    expect(requests(`POST ${queueNames.jiraNotify}/messages`) - notifyPutsBefore).toBe(2);

    expect(await replayPoisonMessages(stack.admin, queueNames.graphNotifications)).toMatchObject({ moved: 1, complete: true });
    await waitFor(async () => (outbox(issues).length === 6 ? true : undefined), 'the replayed mail notified');
    await waitFor(queuesEmpty, 'both queues empty after the replay');
    expect(
      outbox(issues)
        .filter((entry) => mailIdOf(entry, subjects) === 'Pack mail two')
        .map((entry) => entry.issueKey)
        .sort(),
    ).toEqual(issues);
    expect(outbox(issues)).toHaveLength(6);
  });

  it('a throttled mail in a pack waits its Retry-After alone and counts no failure; nothing is poisoned', async () => {
    const scenario = await stack.newScenario();
    stack.addIssue('PACK-3', ['bob']);
    await stack.link(scenario, 'PACK-3');
    const mails = ['Throttled one', 'Throttled two'].map((subject) => stack.mail(scenario, { from: 'alice@example.test', subject }));
    // More throttled answers than the host would allow failures: a failure count would poison it.
    stack.graph.state.faults.push({ status: 429, retryAfterSeconds: 1, remaining: 7, scope: 'graph', messageId: mails[0]!.messageId });
    const poisonBefore = await stack.count(poisonQueueName(queueNames.graphNotifications));

    expect(
      await post(
        scenario,
        mails.map((mail) => mail.messageId),
      ),
    ).toBe(202);
    await waitFor(async () => (outbox(['PACK-3']).length === 2 ? true : undefined), 'both mails notified', 90_000);
    await waitFor(queuesEmpty, 'both queues empty');
    expect(await stack.count(poisonQueueName(queueNames.graphNotifications))).toBe(poisonBefore);
    expect(outbox(['PACK-3'])).toHaveLength(2);
  });

  it('a mail of three issues: its delivery rows claimed in one table transaction and recorded in one more', async () => {
    const scenario = await stack.newScenario();
    const issues = ['PACK-7', 'PACK-8', 'PACK-9'];
    for (const issueKey of issues) {
      stack.addIssue(issueKey, ['bob']);
      await stack.link(scenario, issueKey);
    }
    const deliveryWrites = () =>
      Object.entries(stack.services.storageRequests.snapshot())
        .filter(([key]) => /^(POST|PUT|PATCH|MERGE) deliveries/.test(key))
        .reduce((sum, [, count]) => sum + count, 0);
    const before = { batches: requests('POST deliveries/$batch'), writes: deliveryWrites() };

    await stack.notify(stack.mail(scenario, { from: 'alice@example.test', subject: 'Three at once' }));
    await waitFor(async () => (outbox(issues).length === 3 ? true : undefined), 'the three issues notified');
    await waitFor(queuesEmpty, 'both queues empty');

    expect(requests('POST deliveries/$batch') - before.batches).toBe(2);
    expect(deliveryWrites() - before.writes).toBe(2);
  });

  it('one linked mail × 3 issues, from the webhook POST to the three notify calls: 8 storage requests, counted by the app', async () => {
    const scenario = await stack.newScenario();
    const issues = ['PACK-10', 'PACK-11', 'PACK-12'];
    for (const issueKey of issues) {
      stack.addIssue(issueKey, ['bob']);
      await stack.link(scenario, issueKey);
    }
    const deliver = async (subject: string, expected: number) => {
      expect(await post(scenario, [stack.mail(scenario, { from: 'alice@example.test', subject }).messageId])).toBe(202);
      await waitFor(async () => (outbox(issues).length === expected ? true : undefined), `"${subject}" notified`, 90_000);
      await waitFor(queuesEmpty, 'both queues empty');
    };
    // The first mail of a subscription also reads it (the webhook's lookup) and moves its watermark: per process, not per mail.
    await deliver('Warm-up', 3);

    // Per queue, the pollers' receives (up to 16 messages each) and this test's own looks at the queue's length.
    const notPerMail = new Set(
      Object.values(queueNames).flatMap((queue) => [`GET ${queue}/messages`, `GET ${queue}`, `GET ${poisonQueueName(queue)}`]),
    );
    const before = stack.services.storageRequests.snapshot();
    await deliver('Counted', 6);
    const after = stack.services.storageRequests.snapshot();
    const perMail = Object.fromEntries(
      Object.entries(after)
        .map(([key, count]) => [key, count - (before[key] ?? 0)] as const)
        // Polls and the report counters' timed flushes are paid per interval, not per mail: the bench
        // amortises them over its thousand mails.
        .filter(([key, count]) => count > 0 && !notPerMail.has(key) && !/ reports\b/.test(key)),
    );
    expect(perMail).toEqual({
      'POST graph-notifications/messages': 1,
      'DELETE graph-notifications/messages/{id}': 1,
      'GET links': 1,
      'PUT trails': 1,
      'POST jira-notify/messages': 1,
      'DELETE jira-notify/messages/{id}': 1,
      'POST deliveries/$batch': 2,
    });
    expect(Object.values(perMail).reduce((sum, count) => sum + count, 0)).toBe(8);
  });

  it('an issue Jira refuses in a mail of three: the other two notified once, that one poisoned alone in jira-notify-poison, replayed', async () => {
    const scenario = await stack.newScenario();
    const issues = ['PACK-4', 'PACK-5', 'PACK-6'];
    stack.addIssue('PACK-4', ['bob']);
    stack.addIssue('PACK-5', ['carol']);
    stack.addIssue('PACK-6', ['dave']);
    for (const issueKey of issues) await stack.link(scenario, issueKey);
    const message = stack.mail(scenario, { from: 'alice@example.test', subject: 'Three issues' });
    // Jira refuses the service credential for PACK-5 only: its try in the pack, then the host's 5.
    stack.notifications.fail({ status: 401, count: 6, resource: 'watchers', issueKey: 'PACK-5' });
    const notifyPutsBefore = requests(`POST ${queueNames.jiraNotify}/messages`);
    await stack.notify(message);

    const poison = poisonQueueName(queueNames.jiraNotify);
    await waitFor(async () => ((await stack.count(poison)) === 1 ? true : undefined), 'the refused issue in the poison queue', 90_000);
    const [poisoned] = await stack.admin.peek(poison);
    expect(jiraNotifyQueueMessageSchema.parse(poisoned?.body)).toMatchObject({
      version: 1,
      tenantId: scenario.tenantId,
      issueKey: 'PACK-5',
    });
    await waitFor(queuesEmpty, 'both queues empty');
    // One message for the three issues, and one for PACK-5 put back alone.
    expect(requests(`POST ${queueNames.jiraNotify}/messages`) - notifyPutsBefore).toBe(2);
    expect(
      outbox(issues)
        .map((entry) => entry.issueKey)
        .sort(),
    ).toEqual(['PACK-4', 'PACK-6']);

    expect(await replayPoisonMessages(stack.admin, queueNames.jiraNotify)).toMatchObject({ moved: 1, complete: true });
    await waitFor(async () => (outbox(issues).length === 3 ? true : undefined), 'PACK-5 notified after the replay');
    await waitFor(queuesEmpty, 'both queues empty after the replay');
    expect(
      outbox(issues)
        .map((entry) => entry.issueKey)
        .sort(),
    ).toEqual(issues);
  });
});
