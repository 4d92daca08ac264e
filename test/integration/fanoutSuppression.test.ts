import { toUtcDay } from '../../shared/admin/utcDay';
import { queueNames } from '../../shared/platform/storage/queueNames';
import { startFanoutStack, waitFor, type FanoutStack } from '../support/fanoutStack';

/**
 * Mails that must notify no one, through the local host's real handlers, Azurite and the
 * simulators: the Graph simulator returns `isDraft` and the headers only as `$select`-ed,
 * as Graph does, so this also proves that the fan-out asks for them.
 */
describe('fan-out: drafts, automatic replies, bulk mail and loops notify no one and are counted', () => {
  let stack: FanoutStack;

  beforeAll(async () => {
    stack = await startFanoutStack();
  }, 120_000);
  afterAll(() => stack?.stop());

  it('an out-of-office reply, a bulk mail, a draft and a loop mail in a linked conversation: no notification, one drop each by reason', async () => {
    const scenario = await stack.newScenario();
    stack.addIssue('SUP-1', ['bob', 'carol']);
    await stack.link(scenario, 'SUP-1');

    const suppressed = [
      stack.mail(scenario, {
        from: 'Carol Example <carol@example.test>',
        subject: 'Automatic reply: Quarterly numbers',
        headers: [
          { name: 'Auto-Submitted', value: 'auto-replied' },
          { name: 'X-MS-Exchange-Inbox-Rules-Loop', value: 'carol@example.test' },
        ],
      }),
      stack.mail(scenario, {
        from: 'News <news@vendor.example>',
        subject: 'Our newsletter',
        headers: [{ name: 'Precedence', value: 'bulk' }],
      }),
      stack.mail(scenario, { from: 'alice@example.test', subject: 'RE: Quarterly numbers (unsent)', isDraft: true }),
      stack.mail(scenario, {
        from: 'Jira <jira@jira.example.test>',
        subject: '[JIRA] (SUP-1) New e-mail: Quarterly numbers',
        internetMessageId: '<JIRA.10000.1764000000000@jira.example.test>',
        headers: [
          { name: 'X-JIRA-FingerPrint', value: '0f3c2a9d51e07b8a' },
          { name: 'Auto-Submitted', value: 'auto-generated' },
        ],
      }),
    ];
    for (const message of suppressed) await stack.notify(message);
    // An ordinary reply after them: it is notified, so the four were looked at and let go.
    const ordinary = stack.mail(scenario, { from: 'Dave Example <dave@example.test>', subject: 'RE: Quarterly numbers' });
    await stack.notify(ordinary);

    const day = toUtcDay(stack.services.clock.now());
    const counts = await waitFor(
      async () => {
        const queued = (await stack.count(queueNames.graphNotifications)) + (await stack.count(queueNames.jiraNotify));
        if (queued > 0 || !stack.notifications.outbox.some((entry) => entry.issueKey === 'SUP-1')) return undefined;
        const read = (await stack.services.admin.reports.read(scenario.tenantId, day, day)).get(day) ?? {};
        const dropped = Object.entries(read).filter(([metric]) => metric.startsWith('dropped_'));
        return dropped.reduce((sum, [, n]) => sum + n, 0) >= 4 ? Object.fromEntries(dropped) : undefined;
      },
      'the ordinary mail notified, four drops counted and empty queues',
      120_000,
    );

    expect(counts).toEqual({ dropped_autoReply: 1, dropped_bulk: 1, dropped_draft: 1, dropped_loop: 1 });
    const outbox = stack.notifications.outbox.filter((entry) => entry.issueKey === 'SUP-1');
    expect(outbox).toHaveLength(1);
    expect(outbox[0]?.subject).toBe('[SUP-1] New e-mail: RE: Quarterly numbers');
    expect(outbox[0]?.recipients.sort()).toEqual(['bob', 'carol']);

    // Nothing of the four reached the ledger: no delivery to retry, replay or report as sent.
    for (const message of suppressed) {
      const internetMessageId = stack.graph.state.mails.get(message.messageId)?.internetMessageId ?? `graph:${message.messageId}`;
      const rows = [];
      for await (const row of stack.services.repositories.deliveries.listByMessage(scenario.tenantId, internetMessageId)) rows.push(row);
      expect(rows).toEqual([]);
    }

    // The panel's report shows them by reason.
    const report = await stack.services.admin.report({ tenantId: scenario.tenantId, instanceId: scenario.instanceId, days: 1 });
    expect(report.days[0]?.droppedByReason).toMatchObject({ autoReply: 1, bulk: 1, draft: 1, loop: 1 });
  }, 180_000);
});
