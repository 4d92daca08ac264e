import { ReportCounters } from '../../shared/admin/ReportCounters';
import { ReportRepository } from '../../shared/admin/ReportRepository';
import { tableNames } from '../../shared/platform/storage/tableNames';
import { newGuid } from '../../dev/sandbox/newGuid';
import { FANOUT_CLIENT_STATE, startFanoutStack, waitFor, type FanoutStack } from '../support/fanoutStack';

/**
 * The report counters against Azurite: the webhook counts a batch in memory (no `reports`
 * request on its path), the sums reach the table on the interval and when the host stops,
 * and another process reads them from there.
 */
describe('report counters: summed in memory, written on the interval and at stop', () => {
  let stack: FanoutStack;
  const today = () => new Date().toISOString().slice(0, 10);
  /** Another process's view: only what is in the table. */
  const elsewhere = () =>
    new ReportCounters({
      repository: new ReportRepository({ client: stack.services.tableClients.get(tableNames.reports) }),
      clock: { now: () => Date.now() },
    });
  const reportRequests = () =>
    Object.entries(stack.services.storageRequests.snapshot())
      .filter(([key]) => key.split(' ')[1] === tableNames.reports)
      .reduce((sum, [, n]) => sum + n, 0);

  beforeAll(async () => {
    // An interval no test waits for: what reaches the table here came from the stop.
    stack = await startFanoutStack({ webhook: true, env: { REPORT_FLUSH_INTERVAL: '300s' } });
  });
  afterAll(() => stack?.stop());

  it('a separate process with a short interval writes its sums without being asked, once', async () => {
    const scope = newGuid();
    const counters = new ReportCounters({
      repository: new ReportRepository({ client: stack.services.tableClients.get(tableNames.reports) }),
      clock: { now: () => Date.now() },
      flushIntervalMs: 200,
    });
    try {
      for (let i = 0; i < 50; i += 1) await counters.add(scope, { received: 1, dropped_duplicate: 2 });
      const stored = await waitFor(async () => {
        const day = (await elsewhere().read(scope, today(), today())).get(today());
        return day?.received === 50 ? day : undefined;
      }, 'the sums in the table');
      expect(stored).toEqual({ received: 50, dropped_duplicate: 100 });
      // Later intervals add nothing: the sums were written once.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect((await elsewhere().read(scope, today(), today())).get(today())).toEqual({ received: 50, dropped_duplicate: 100 });
    } finally {
      await counters.stop();
    }
  });

  it('the webhook counts a batch without a reports request; the counts reach the table when the host stops', async () => {
    const scenario = await stack.newScenario();
    const mails = [1, 2, 3].map(() => stack.mail(scenario, { from: 'alice@example.test' }));
    const before = reportRequests();
    const response = await fetch(`${stack.host!.url}/api/graph/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        value: [
          ...mails.map((mail) => ({
            subscriptionId: scenario.subscriptionId,
            changeType: 'created',
            resource: mail.resource,
            resourceData: { id: mail.messageId },
            clientState: FANOUT_CLIENT_STATE,
            tenantId: scenario.tenantId,
          })),
          { subscriptionId: scenario.subscriptionId, changeType: 'created', resource: mails[0]!.resource, clientState: 'forged' },
        ],
      }),
    });
    expect(response.status).toBe(202);
    expect(reportRequests()).toBe(before);
    // This process already shows them; the table does not hold them yet.
    expect((await stack.services.admin.reports.read(scenario.tenantId, today(), today())).get(today())).toEqual({ received: 3 });
    expect((await elsewhere().read(scenario.tenantId, today(), today())).get(today())).toBeUndefined();

    await stack.host!.stop();
    expect(reportRequests()).toBeGreaterThan(before);
    expect((await elsewhere().read(scenario.tenantId, today(), today())).get(today())).toEqual({ received: 3 });
  });
});
