import type { TableClient } from '@azure/data-tables';
import { replayPoisonMessages } from '../../shared/mail/fanout/replayPoisonMessages';
import { poisonQueueName, queueNames } from '../../shared/platform/storage/queueNames';
import { allTableNames } from '../../shared/platform/storage/tableNames';
import type { DeliveryEntity } from '../../shared/platform/storage/deliveries/deliveryEntity';
import { startFanoutStack, waitFor, type FanoutStack, type Scenario } from '../support/fanoutStack';

/**
 * The fan-out end to end: mails enter `graph-notifications` as the webhook puts them there,
 * the local host's pollers run the function table's `processMailNotification` and
 * `notifyIssueWatchers`, Jira is the simulator (2-legged OAuth as the service user).
 */
describe('fan-out: a new mail in a linked conversation notifies the watchers', () => {
  let stack: FanoutStack;
  let issueCounter = 0;
  /** Issue keys no other test uses. */
  const newIssue = (watchers: string[]): string => {
    issueCounter += 1;
    const key = `FAN-${issueCounter}`;
    stack.addIssue(key, watchers);
    return key;
  };

  beforeAll(async () => {
    stack = await startFanoutStack();
  });
  afterAll(() => stack?.stop());

  const outboxFor = (issueKeys: readonly string[]) => stack.notifications.outbox.filter((entry) => issueKeys.includes(entry.issueKey));
  const notifyAnswers = (issueKeys: readonly string[]) =>
    stack.notifications.answers.filter((answer) => issueKeys.includes(answer.issueKey));

  async function deliveries(scenario: Scenario, internetMessageId: string): Promise<DeliveryEntity[]> {
    const rows: DeliveryEntity[] = [];
    for await (const row of stack.services.repositories.deliveries.listByMessage(scenario.tenantId, internetMessageId)) rows.push(row);
    return rows;
  }

  /** Every delivery of the mail settled and both queues empty: nothing is left to happen. */
  async function settled(scenario: Scenario, internetMessageId: string, issues: number): Promise<DeliveryEntity[]> {
    return waitFor(async () => {
      const rows = await deliveries(scenario, internetMessageId);
      if (rows.length !== issues || rows.some((row) => row.status === 'pending')) return undefined;
      const queued = (await stack.count(queueNames.graphNotifications)) + (await stack.count(queueNames.jiraNotify));
      return queued === 0 ? rows : undefined;
    }, `${issues} settled deliveries and empty queues`);
  }

  it('one mail, three linked issues with two watchers each (one the sender): three notify calls, five watchers, not the sender', async () => {
    const scenario = await stack.newScenario();
    const issues = [newIssue(['alice', 'bob']), newIssue(['carol', 'dave']), newIssue(['erin', 'frank'])];
    for (const issueKey of issues) await stack.link(scenario, issueKey);
    const message = stack.mail(scenario, { from: 'Alice Example <ALICE@example.test>', subject: 'Numbers <b>Q3</b>' });
    const mail = stack.graph.state.mails.get(message.messageId)!;
    await stack.notify(message);

    const rows = await settled(scenario, mail.internetMessageId, 3);
    expect(rows.map((row) => [row.issueKey, row.status, row.lastStatus]).sort()).toEqual(issues.map((key) => [key, 'sent', 204]).sort());

    const sent = outboxFor(issues);
    expect(sent).toHaveLength(3);
    expect(notifyAnswers(issues).filter((answer) => answer.resource === 'notify')).toHaveLength(3);
    expect(sent.flatMap((entry) => entry.recipients).sort()).toEqual(['bob', 'carol', 'dave', 'erin', 'frank']);
    for (const entry of sent) {
      expect(entry.subject).toBe(`[${entry.issueKey}] New e-mail: Numbers <b>Q3</b>`);
      expect(entry.htmlBody).toContain('Numbers &lt;b&gt;Q3&lt;/b&gt;');
      expect(entry.htmlBody).toContain('Alice Example &lt;ALICE@example.test&gt;');
      expect(entry.sentBy).toBe('jira-service');
    }
    // Background calls as the service user through the application link, never a user's token.
    const jiraCalls = stack.jira.requests.filter((request) => issues.some((key) => request.url.includes(`/issue/${key}/`)));
    expect(jiraCalls).toHaveLength(6);
    for (const call of jiraCalls) expect(call.auth).toMatchObject({ kind: 'oauth-2lo', user: 'jira-service' });

    const subscription = await stack.services.repositories.subscriptions.get({ subscriptionId: scenario.subscriptionId });
    expect(subscription?.watermark).toBe(new Date(mail.receivedDateTime).toISOString());
  });

  it('the same notification three times, and the mail in two mailboxes: one notification per issue', async () => {
    const scenario = await stack.newScenario();
    const issues = [newIssue(['bob', 'carol']), newIssue(['dave'])];
    for (const issueKey of issues) await stack.link(scenario, issueKey);
    const first = stack.mail(scenario, { from: 'alice@example.test' });
    const internetMessageId = stack.graph.state.mails.get(first.messageId)!.internetMessageId;
    const secondMailbox = await stack.addMailbox(scenario);
    const second = stack.mail(secondMailbox, { from: 'alice@example.test', internetMessageId });

    await Promise.all([stack.notify(first), stack.notify(first), stack.notify(first), stack.notify(second)]);
    await settled(scenario, internetMessageId, 2);
    // A redelivery long after the first round is stopped by the records too.
    await stack.notify(first);
    await waitFor(
      async () =>
        (await stack.count(queueNames.graphNotifications)) + (await stack.count(queueNames.jiraNotify)) === 0 ? true : undefined,
      'empty queues',
    );

    const sent = outboxFor(issues);
    expect(sent.map((entry) => entry.issueKey).sort()).toEqual([...issues].sort());
    expect(sent.flatMap((entry) => entry.recipients).sort()).toEqual(['bob', 'carol', 'dave']);
  });

  it('Jira answers 429 Retry-After: 2 to the first calls: all arrive, none poisoned, none before its retry time', async () => {
    const scenario = await stack.newScenario();
    const issues = [newIssue(['bob']), newIssue(['carol']), newIssue(['dave'])];
    for (const issueKey of issues) await stack.link(scenario, issueKey);
    const message = stack.mail(scenario, { from: 'alice@example.test' });
    const internetMessageId = stack.graph.state.mails.get(message.messageId)!.internetMessageId;
    stack.notifications.fail({ status: 429, retryAfter: 2, count: 3 });
    await stack.notify(message);

    const rows = await settled(scenario, internetMessageId, 3);
    expect(rows.every((row) => row.status === 'sent')).toBe(true);
    expect(await stack.count(poisonQueueName(queueNames.jiraNotify))).toBe(0);
    const throttled = notifyAnswers(issues).filter((answer) => answer.status === 429);
    // The three messages run side by side: each one's first call is refused.
    expect(throttled.map((answer) => answer.issueKey).sort()).toEqual([...issues].sort());
    const sent = outboxFor(issues);
    expect(sent).toHaveLength(3);
    for (const entry of sent) {
      const refusal = throttled.find((answer) => answer.issueKey === entry.issueKey)!;
      // Ordering, not speed: Jira saw the notification no earlier than it had asked.
      expect(entry.at).toBeGreaterThanOrEqual(refusal.at + 2000);
    }
    // One more attempt each; none counted as a failure.
    for (const row of rows) expect(row).toMatchObject({ status: 'sent', attempts: 2, lastStatus: 204 });
  });

  it('an unlinked mail costs one table lookup, its trail row and no Jira call', async () => {
    const scenario = await stack.newScenario();
    const requests: string[] = [];
    const counter: Parameters<TableClient['pipeline']['addPolicy']>[0] = {
      name: 'count-table-requests',
      sendRequest: (request, next) => {
        requests.push(`${request.method} ${new URL(request.url).pathname.split('/')[2] ?? ''}`);
        return next(request);
      },
    };
    for (const table of allTableNames) stack.services.tableClients.get(table).pipeline.addPolicy(counter);
    const processed = () => stack.log.lines.filter((line) => line.includes('mail in no linked conversation')).length;
    try {
      // The first mail of a mailbox in this process also moves its watermark: a read and a write.
      const before = processed();
      await stack.notify(stack.mail(scenario, { from: 'alice@example.test' }));
      await waitFor(() => (processed() > before ? true : undefined), 'the first unlinked mail');
      const jiraBefore = stack.jira.requests.length;
      requests.length = 0;

      await stack.notify(stack.mail(scenario, { from: 'alice@example.test' }));
      await waitFor(() => (processed() > before + 1 ? true : undefined), 'the second unlinked mail');
      // The lookup, then the one row of the mail's trail (why it went no further), written after it.
      expect(requests).toHaveLength(2);
      expect(requests[0]).toMatch(/^GET links\(\)/);
      expect(requests[1]).toMatch(/^(PUT|PATCH|MERGE) trails\(/);
      expect(stack.jira.requests.length).toBe(jiraBefore);
    } finally {
      for (const table of allTableNames) stack.services.tableClients.get(table).pipeline.removePolicy({ name: counter.name });
    }
  });

  it('an issue gone from Jira: failed with the reason, the link marked stale, no retry', async () => {
    const scenario = await stack.newScenario();
    const live = newIssue(['bob']);
    await stack.link(scenario, live);
    await stack.link(scenario, 'GONE-1');
    const message = stack.mail(scenario, { from: 'alice@example.test' });
    const internetMessageId = stack.graph.state.mails.get(message.messageId)!.internetMessageId;
    await stack.notify(message);

    const rows = await settled(scenario, internetMessageId, 2);
    expect(rows.find((row) => row.issueKey === 'GONE-1')).toMatchObject({
      status: 'failed',
      reason: 'issue_not_found',
      lastStatus: 404,
      attempts: 1,
    });
    expect(rows.find((row) => row.issueKey === live)).toMatchObject({ status: 'sent' });
    expect(notifyAnswers(['GONE-1'])).toHaveLength(1);
    const link = await stack.services.repositories.links.get({
      tenantId: scenario.tenantId,
      conversationId: scenario.conversationId,
      instanceId: 'demo',
      issueKey: 'GONE-1',
    });
    expect(link?.stale).toBe(true);
  });

  it('a message poisoned by a refused credential keeps everything and is delivered after a replay', async () => {
    const scenario = await stack.newScenario();
    const issueKey = newIssue(['bob']);
    await stack.link(scenario, issueKey);
    const message = stack.mail(scenario, { from: 'alice@example.test' });
    const internetMessageId = stack.graph.state.mails.get(message.messageId)!.internetMessageId;
    // Jira refuses the service credential on every call until an admin fixes it.
    stack.notifications.fail({ status: 401, count: 5, resource: 'watchers' });
    await stack.notify(message);

    const poison = poisonQueueName(queueNames.jiraNotify);
    await waitFor(async () => ((await stack.count(poison)) === 1 ? true : undefined), 'the message in the poison queue');
    expect(notifyAnswers([issueKey]).map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401]);
    expect(await deliveries(scenario, internetMessageId)).toEqual([expect.objectContaining({ status: 'pending', lastStatus: 401 })]);
    const [poisoned] = await stack.admin.peek(poison);
    expect(poisoned?.body).toMatchObject({
      tenantId: scenario.tenantId,
      issueKey,
      mail: { internetMessageId, subject: 'Quarterly numbers', fromAddress: 'alice@example.test' },
    });

    expect(await replayPoisonMessages(stack.admin, queueNames.jiraNotify)).toEqual({
      queue: queueNames.jiraNotify,
      moved: 1,
      leftForLater: 0,
      complete: true,
      dryRun: false,
    });
    const rows = await settled(scenario, internetMessageId, 1);
    expect(rows[0]).toMatchObject({ status: 'sent', attempts: 6 });
    expect(outboxFor([issueKey])).toEqual([expect.objectContaining({ recipients: ['bob'] })]);
  });
});
