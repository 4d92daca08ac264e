import { queueNames } from '../../shared/platform/storage/queueNames';
import { startFanoutStack, waitFor, type FanoutStack } from '../support/fanoutStack';

/**
 * Issue 15, "also": storage going away between Jira's 2xx and the ledger's `sent` write
 * made the message fail, and once the lease ran out its retry notified the watchers a
 * second time. The write is retried within the lease now: storage comes back, the `sent`
 * record lands, and the watchers hear of the mail once.
 */

let stack: FanoutStack;
/** Longer than the SDK's own retries of one write (about 3.5 s), well inside the lease. */
const OUTAGE_MS = 6000;

beforeAll(async () => {
  stack = await startFanoutStack({ cuttableTables: true, env: { DELIVERY_LEASE: '30s', NOTIFY_RETRY_MAX_DELAY: '5s' } });
});
afterAll(() => stack?.stop());

test('tables down right after Jira accepted the notification: the sent record lands after they are back, no duplicate', async () => {
  const scenario = await stack.newScenario();
  stack.addIssue('LEDGER-1', ['bob']);
  await stack.link(scenario, 'LEDGER-1');
  const tables = stack.tables!;
  const outbox = stack.notifications.outbox;
  const push = outbox.push.bind(outbox);
  let restored: Promise<void> | undefined;
  // Jira records the notification just before it answers 204: storage goes away at that moment.
  outbox.push = (...entries) => {
    if (restored === undefined && entries.some((entry) => entry.issueKey === 'LEDGER-1')) {
      tables.down();
      restored = new Promise((resolve) => setTimeout(resolve, OUTAGE_MS)).then(() => tables.up());
    }
    return push(...entries);
  };

  const message = stack.mail(scenario, { from: 'ann@example.test', subject: 'Ledger [outage]' });
  const internetMessageId = stack.graph.state.mails.get(message.messageId)!.internetMessageId;
  await stack.notify(message);

  await waitFor(() => (restored === undefined ? undefined : true), 'Jira to accept the notification');
  await restored;
  const key = { tenantId: scenario.tenantId, internetMessageId, instanceId: 'demo', issueKey: 'LEDGER-1' };
  const row = await waitFor(
    async () => {
      const found = await stack.services.repositories.deliveries.get(key);
      return found?.status === 'sent' ? found : undefined;
    },
    'the sent record',
    90_000,
  );
  await waitFor(
    async () => ((await stack.count(queueNames.jiraNotify)) + (await stack.count(queueNames.graphNotifications)) === 0 ? true : undefined),
    'empty queues',
    90_000,
  );

  expect(outbox.filter((entry) => entry.issueKey === 'LEDGER-1').length).toBe(1);
  expect(row).toMatchObject({ status: 'sent', attempts: 1, lastStatus: 204 });
}, 150_000);
