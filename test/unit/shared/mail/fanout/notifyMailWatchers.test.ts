import { DeliveryLedger } from '../../../../../shared/mail/fanout/DeliveryLedger';
import type { IssueRef, JiraCallResult, JiraIssueNotifier } from '../../../../../shared/mail/fanout/JiraIssueNotifier';
import type { JiraNotifyMessage } from '../../../../../shared/mail/fanout/jiraNotifyMessage';
import type { JiraWatcher } from '../../../../../shared/mail/fanout/jiraWatchersSchema';
import { defaultRetryPolicy } from '../../../../../shared/mail/fanout/nextRetry';
import { notifyMailWatchers, type NotifyMailWatchersDeps } from '../../../../../shared/mail/fanout/notifyMailWatchers';
import { ManualClock, newTenant, startFanoutTestStorage, type FanoutTestStorage } from './fanoutTestStorage';

const WATCHERS: JiraWatcher[] = [
  { name: 'alice', emailAddress: 'alice@example.test', active: true },
  { name: 'bob', emailAddress: 'bob@example.test', active: true },
];

/** Jira answering every issue with two watchers; notify as given per issue (204 by default). */
class RecordingJira implements Pick<JiraIssueNotifier, 'watchers' | 'notify'> {
  readonly notified: string[] = [];
  constructor(
    private readonly notifyAnswer: (issueKey: string) => JiraCallResult<undefined> = () => ({ kind: 'ok', value: undefined, status: 204 }),
  ) {}
  async watchers(): Promise<JiraCallResult<JiraWatcher[]>> {
    return { kind: 'ok', value: WATCHERS, status: 200 };
  }
  async notify(issue: IssueRef): Promise<JiraCallResult<undefined>> {
    const answer = this.notifyAnswer(issue.issueKey);
    if (answer.kind === 'ok') this.notified.push(issue.issueKey);
    return answer;
  }
}

describe('notifyMailWatchers against Azurite', () => {
  let storage: FanoutTestStorage;
  const clock = new ManualClock();

  beforeAll(async () => {
    storage = await startFanoutTestStorage();
  });
  afterAll(() => storage?.stop());

  function messagesOf(tenantId: string, issueKeys: readonly string[]): JiraNotifyMessage[] {
    return issueKeys.map((issueKey) => ({
      version: 1,
      tenantId,
      instanceId: 'demo',
      issueKey,
      mailboxUserId: 'user-1',
      mail: {
        internetMessageId: '<batch/1+2@example.test>',
        conversationId: 'conv-1',
        messageId: 'AAMk1',
        subject: 'Hello',
        fromAddress: 'alice@example.test',
        bodyPreview: 'Hi',
      },
      enqueuedAt: new Date(clock.now()).toISOString(),
      retry: { throttled: 0, failed: 0 },
    }));
  }

  function deps(jira: RecordingJira): NotifyMailWatchersDeps {
    return {
      ledger: new DeliveryLedger({ repository: storage.repositories.deliveries, clock, leaseSeconds: 300 }),
      jira,
      links: storage.repositories.links,
      requeue: () => Promise.reject(new Error('nothing here is put back')),
      policy: { ...defaultRetryPolicy, maxDelaySeconds: 600 },
      jiraCallMs: 30_000,
      clock,
    };
  }

  /** The `deliveries` requests made while `run` ran, by kind. */
  async function deliveriesRequests(run: () => Promise<unknown>): Promise<Record<string, number>> {
    const before = storage.storageRequests.snapshot();
    await run();
    const after = storage.storageRequests.snapshot();
    return Object.fromEntries(
      Object.entries(after)
        .filter(([key]) => key.includes('deliveries'))
        .map(([key, count]) => [key, count - (before[key] ?? 0)] as const)
        .filter(([, count]) => count > 0),
    );
  }

  it("notifies each of a mail's issues once, with two deliveries requests in all, and a repeat of the lot notifies no one", async () => {
    const tenantId = newTenant();
    const jira = new RecordingJira();
    const messages = messagesOf(tenantId, ['DEMO-1', 'DEMO-2', 'DEMO-3']);
    let results: Awaited<ReturnType<typeof notifyMailWatchers>> = [];
    const requests = await deliveriesRequests(async () => {
      results = await notifyMailWatchers(messages, deps(jira));
    });

    // One transaction claims the three rows, one records them.
    expect(requests).toEqual({ 'POST deliveries/$batch': 2 });
    expect(results.map((result) => result.status === 'fulfilled' && result.value.kind)).toEqual(['sent', 'sent', 'sent']);
    expect([...jira.notified].sort()).toEqual(['DEMO-1', 'DEMO-2', 'DEMO-3']);
    for (const message of messages) {
      const row = await storage.repositories.deliveries.get({ ...message, internetMessageId: message.mail.internetMessageId });
      // The sender (alice) is dropped: bob alone.
      expect(row).toMatchObject({ status: 'sent', lastStatus: 204, recipients: ['bob'], watchers: 2 });
      expect(row?.leaseUntil).toBeUndefined();
    }

    // The queue, Graph or another mailbox of the tenant repeats the mail (the fan-out no longer
    // looks in the ledger first): the failed transaction and one read of the mail's rows stop every issue.
    let again: Awaited<ReturnType<typeof notifyMailWatchers>> = [];
    const repeat = await deliveriesRequests(async () => {
      again = await notifyMailWatchers(messages, deps(jira));
    });
    expect(repeat).toEqual({ 'POST deliveries/$batch': 1, 'GET deliveries': 1 });
    expect(again.map((result) => result.status === 'fulfilled' && result.value.kind)).toEqual([
      'alreadyDone',
      'alreadyDone',
      'alreadyDone',
    ]);
    expect(jira.notified).toHaveLength(3);
  });

  it("records the issues that went out when another of the mail's issues fails for good", async () => {
    const tenantId = newTenant();
    const jira = new RecordingJira((issueKey) =>
      issueKey === 'DEMO-2' ? { kind: 'rejected', status: 400 } : { kind: 'ok', value: undefined, status: 204 },
    );
    const messages = messagesOf(tenantId, ['DEMO-1', 'DEMO-2']);
    const results = await notifyMailWatchers(messages, deps(jira));
    expect(results.map((result) => result.status === 'fulfilled' && result.value.kind)).toEqual(['sent', 'failed']);
    const rows = await Promise.all(
      messages.map((message) => storage.repositories.deliveries.get({ ...message, internetMessageId: message.mail.internetMessageId })),
    );
    expect(rows.map((row) => [row?.issueKey, row?.status, row?.reason])).toEqual([
      ['DEMO-1', 'sent', undefined],
      ['DEMO-2', 'failed', 'jira_rejected_400'],
    ]);
  });

  it("still claims the mail's new issues when one of them was notified before (the transaction refused, row by row)", async () => {
    const tenantId = newTenant();
    const jira = new RecordingJira();
    await notifyMailWatchers(messagesOf(tenantId, ['DEMO-1']), deps(jira));
    const results = await notifyMailWatchers(messagesOf(tenantId, ['DEMO-1', 'DEMO-2']), deps(jira));
    expect(results.map((result) => result.status === 'fulfilled' && result.value.kind)).toEqual(['alreadyDone', 'sent']);
    expect(jira.notified).toEqual(['DEMO-1', 'DEMO-2']);
  });
});
