import { join } from 'node:path';
import { startLocalHost } from '../../dev/host/startLocalHost';
import { functionTable } from '../../functions/functionTable';
import type { DeliveryEntity } from '../../shared/platform/storage/deliveries/deliveryEntity';
import { queueNames } from '../../shared/platform/storage/queueNames';
import { runTypeScript } from '../support/spawnTypeScript';
import { FAST_QUEUES, startFanoutStack, waitFor, type FanoutStack, type Scenario } from '../support/fanoutStack';

const WORKER = join(__dirname, '../support/fanoutCrashWorker.ts');

/** Runs the crash worker as a real child process until it exits (it dies at `crashAt`). */
async function runWorker(
  env: Record<string, string>,
  crashAt: 'beforeNotify' | 'afterNotify',
): Promise<{ code: number | null; output: string }> {
  const run = await runTypeScript(WORKER, { env: { ...env, CRASH_AT: crashAt } });
  return { code: run.code, output: run.stdout + run.stderr };
}

describe('fan-out: a worker process killed mid-notification', () => {
  let stack: FanoutStack;
  let issueCounter = 0;

  beforeAll(async () => {
    // No host in this process: the worker child is the only consumer until it dies.
    // Short Jira timeouts too: a claim is renewed to cover its Jira calls (their timeouts plus
    // 10 s), so a dead worker's delivery is taken over once those have passed, not after 3 s.
    stack = await startFanoutStack({
      host: false,
      env: {
        DELIVERY_LEASE: '3s',
        OUTBOUND_CONNECT_TIMEOUT_MS: '1000',
        OUTBOUND_HEADERS_TIMEOUT_MS: '2000',
        OUTBOUND_BODY_TIMEOUT_MS: '2000',
      },
    });
  }, 60_000);
  afterAll(() => stack?.stop());

  async function scenarioWithMail(): Promise<{ scenario: Scenario; issueKey: string; internetMessageId: string }> {
    issueCounter += 1;
    const issueKey = `CRASH-${issueCounter}`;
    stack.addIssue(issueKey, ['bob', 'carol']);
    const scenario = await stack.newScenario();
    await stack.link(scenario, issueKey);
    const message = stack.mail(scenario, { from: 'alice@example.test' });
    await stack.notify(message);
    return { scenario, issueKey, internetMessageId: stack.graph.state.mails.get(message.messageId)!.internetMessageId };
  }

  const row = (scenario: Scenario, internetMessageId: string, issueKey: string): Promise<DeliveryEntity | undefined> =>
    stack.services.repositories.deliveries.get({ tenantId: scenario.tenantId, internetMessageId, instanceId: 'demo', issueKey });

  /** A healthy host in this process picks up whatever the dead worker left, until the delivery is settled. */
  async function recover(scenario: Scenario, internetMessageId: string, issueKey: string): Promise<DeliveryEntity> {
    const functions = functionTable.filter(
      (definition) => definition.name === 'processMailNotification' || definition.name === 'notifyIssueWatchers',
    );
    const host = await startLocalHost({
      functions,
      services: stack.services,
      queueClient: (name) => stack.services.queueClients.get(name),
      port: 0,
      log: stack.log,
      queues: FAST_QUEUES,
    });
    try {
      return await waitFor(
        async () => {
          const current = await row(scenario, internetMessageId, issueKey);
          if (current?.status !== 'sent') return undefined;
          const queued = (await stack.count(queueNames.graphNotifications)) + (await stack.count(queueNames.jiraNotify));
          return queued === 0 ? current : undefined;
        },
        'the delivery sent and the queues empty',
        60_000,
      );
    } finally {
      await host.stop();
    }
  }

  it('killed between dequeue and notify: nothing is lost', async () => {
    const { scenario, issueKey, internetMessageId } = await scenarioWithMail();
    const run = await runWorker(stack.env, 'beforeNotify');
    expect({ code: run.code, output: run.code === 70 ? '' : run.output }).toEqual({ code: 70, output: '' });
    // It died holding the claim, before Jira heard anything.
    expect(await row(scenario, internetMessageId, issueKey)).toMatchObject({ status: 'pending' });
    expect(stack.notifications.outbox.filter((entry) => entry.issueKey === issueKey)).toHaveLength(0);

    const settled = await recover(scenario, internetMessageId, issueKey);
    expect(settled).toMatchObject({ status: 'sent', attempts: 2 });
    expect(stack.notifications.outbox.filter((entry) => entry.issueKey === issueKey)).toEqual([
      expect.objectContaining({ recipients: ['bob', 'carol'] }),
    ]);
  }, 120_000);

  it('killed between Jira’s answer and the ledger write: at most one duplicate', async () => {
    const { scenario, issueKey, internetMessageId } = await scenarioWithMail();
    const run = await runWorker(stack.env, 'afterNotify');
    expect({ code: run.code, output: run.code === 70 ? '' : run.output }).toEqual({ code: 70, output: '' });
    expect(stack.notifications.outbox.filter((entry) => entry.issueKey === issueKey)).toHaveLength(1);
    expect(await row(scenario, internetMessageId, issueKey)).toMatchObject({ status: 'pending' });

    const settled = await recover(scenario, internetMessageId, issueKey);
    expect(settled.status).toBe('sent');
    const sent = stack.notifications.outbox.filter((entry) => entry.issueKey === issueKey);
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.length).toBeLessThanOrEqual(2);
  }, 120_000);
});
