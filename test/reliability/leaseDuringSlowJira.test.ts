import { queueNames } from '../../shared/platform/storage/queueNames';
import { startFanoutStack, waitFor, type FanoutStack } from '../support/fanoutStack';
import { watchLedgerSent } from '../support/watchLedgerSent';

/**
 * Issue 18's chaos duplicates, the lease side: a delivery's lease ran out while the copy
 * that held it was still waiting for a slow Jira; a second copy of the mail (Graph repeating
 * its notification) took the expired rows over, notified the watchers again, and both copies
 * recorded `sent`. Now no Jira call starts unless the claim's lease covers it and the ledger
 * write after it (renewed, conditionally, when it is shorter): the second copy finds the
 * rows busy, comes back, and finds them sent.
 */

let stack: FanoutStack;
/** Much shorter than one slowed Jira call, as a production lease is shorter than a hung Jira's timeouts. */
const LEASE = '2s';
/** Every request to Jira is held this long: the watchers call and the notify call each outlive the lease. */
const JIRA_DELAY_MS = 6000;

beforeAll(async () => {
  stack = await startFanoutStack({ faultyJira: true, env: { DELIVERY_LEASE: LEASE, NOTIFY_RETRY_MAX_DELAY: '3s' } });
});
afterAll(() => stack?.stop());

test('Jira slower than the lease and Graph repeating the mail: each issue is notified once, recorded once', async () => {
  const scenario = await stack.newScenario();
  stack.addIssue('SLOW-1', ['bob']);
  stack.addIssue('SLOW-2', ['carol']);
  await stack.link(scenario, 'SLOW-1');
  await stack.link(scenario, 'SLOW-2');
  stack.jiraRelay!.set({ kind: 'slow', delayMs: JIRA_DELAY_MS });
  const sentWrites: string[] = [];
  const deliveries = stack.services.repositories.deliveries;
  watchLedgerSent(deliveries, (entity) => sentWrites.push(entity.issueKey));

  const message = stack.mail(scenario, { from: 'ann@example.test', subject: 'Slow Jira [lease]' });
  const internetMessageId = stack.graph.state.mails.get(message.messageId)!.internetMessageId;
  await stack.notify(message);
  const key = (issueKey: string) => ({ tenantId: scenario.tenantId, internetMessageId, instanceId: 'demo', issueKey });
  // The first copy has claimed both rows and is waiting for Jira's watchers.
  await waitFor(async () => ((await deliveries.get(key('SLOW-1')))?.status === 'pending' ? true : undefined), 'the first claim');
  // Graph sends the same notification again once the first copy's lease has run out.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await stack.notify(message);

  await waitFor(
    async () => {
      const rows = await Promise.all(['SLOW-1', 'SLOW-2'].map((issueKey) => deliveries.get(key(issueKey))));
      return rows.every((row) => row?.status === 'sent') ? true : undefined;
    },
    'both rows sent',
    120_000,
  );
  await waitFor(
    async () => ((await stack.count(queueNames.jiraNotify)) + (await stack.count(queueNames.graphNotifications)) === 0 ? true : undefined),
    'empty queues',
    120_000,
  );

  // Before: ['SLOW-1', 'SLOW-1', 'SLOW-2', 'SLOW-2'] in Jira's outbox and in the ledger's writes.
  expect(stack.notifications.outbox.map((entry) => entry.issueKey).sort()).toEqual(['SLOW-1', 'SLOW-2']);
  expect(sentWrites.sort()).toEqual(['SLOW-1', 'SLOW-2']);
}, 240_000);
