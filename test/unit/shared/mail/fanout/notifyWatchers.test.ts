import { AppError } from '../../../../../shared/platform/errors/AppError';
import { DeliveryLedger } from '../../../../../shared/mail/fanout/DeliveryLedger';
import type { IssueRef, JiraCallResult, JiraIssueNotifier } from '../../../../../shared/mail/fanout/JiraIssueNotifier';
import type { JiraNotification } from '../../../../../shared/mail/fanout/JiraNotification';
import type { JiraNotifyMessage } from '../../../../../shared/mail/fanout/jiraNotifyMessage';
import type { JiraWatcher } from '../../../../../shared/mail/fanout/jiraWatchersSchema';
import { STALE_FIRST_BACKOFF_MS } from '../../../../../shared/mail/fanout/markLinkStale';
import { defaultRetryPolicy } from '../../../../../shared/mail/fanout/nextRetry';
import { notifyWatchers, type NotifyWatchersDeps } from '../../../../../shared/mail/fanout/notifyWatchers';
import { ManualClock, newTenant, startFanoutTestStorage, type FanoutTestStorage } from './fanoutTestStorage';

type Step<T> = JiraCallResult<T> | Error;

/** Jira as a script: each call takes the next answer (or error) of its resource. */
class ScriptedJira implements Pick<JiraIssueNotifier, 'watchers' | 'notify'> {
  readonly notified: { issue: IssueRef; notification: JiraNotification }[] = [];
  watcherCalls = 0;
  constructor(
    private readonly watcherSteps: Step<JiraWatcher[]>[],
    private readonly notifySteps: Step<undefined>[] = [],
  ) {}
  async watchers(): Promise<JiraCallResult<JiraWatcher[]>> {
    this.watcherCalls += 1;
    const step = this.watcherSteps.shift() ?? ok(watchers);
    if (step instanceof Error) throw step;
    return step;
  }
  async notify(issue: IssueRef, notification: JiraNotification): Promise<JiraCallResult<undefined>> {
    const step = this.notifySteps.shift() ?? { kind: 'ok', value: undefined, status: 204 };
    if (step instanceof Error) throw step;
    if (step.kind === 'ok') this.notified.push({ issue, notification });
    return step;
  }
}

const ok = <T>(value: T, status = 200): JiraCallResult<T> => ({ kind: 'ok', value, status });
const watchers: JiraWatcher[] = [
  { name: 'alice', emailAddress: 'alice@example.test', active: true },
  { name: 'bob', emailAddress: 'bob@example.test', active: true },
  { name: 'carol', emailAddress: 'carol@example.test', active: false },
];

describe('notifyWatchers against Azurite', () => {
  let storage: FanoutTestStorage;
  const clock = new ManualClock();

  beforeAll(async () => {
    storage = await startFanoutTestStorage();
  });
  afterAll(() => storage?.stop());

  function message(tenantId: string, retry = { throttled: 0, failed: 0 }): JiraNotifyMessage {
    return {
      version: 1,
      tenantId,
      instanceId: 'demo',
      issueKey: 'DEMO-1',
      mailboxUserId: 'user-1',
      mail: {
        internetMessageId: '<m1@example.test>',
        conversationId: 'conv-1',
        messageId: 'AAMk1',
        subject: 'Hello',
        fromAddress: 'Alice@Example.test',
        bodyPreview: 'Hi',
      },
      enqueuedAt: new Date(clock.now()).toISOString(),
      retry,
    };
  }

  function deps(
    jira: ScriptedJira,
    requeued: { message: JiraNotifyMessage; delaySeconds: number }[],
    requeueFails = false,
  ): NotifyWatchersDeps {
    return {
      ledger: new DeliveryLedger({ repository: storage.repositories.deliveries, clock, leaseSeconds: 300 }),
      jira,
      links: storage.repositories.links,
      requeue: async (copy, delaySeconds) => {
        if (requeueFails) throw new AppError({ code: 'storage_unavailable', detail: 'queue down' });
        requeued.push({ message: copy, delaySeconds });
      },
      policy: { ...defaultRetryPolicy, maxDelaySeconds: 600 },
      jiraCallMs: 30_000,
      clock,
      random: () => 0.5,
    };
  }

  const row = (tenantId: string) =>
    storage.repositories.deliveries.get({ tenantId, internetMessageId: '<m1@example.test>', instanceId: 'demo', issueKey: 'DEMO-1' });

  it('notifies the watchers but the sender and inactive users, then records sent; a copy stops', async () => {
    const tenantId = newTenant();
    const jira = new ScriptedJira([]);
    const requeued: { message: JiraNotifyMessage; delaySeconds: number }[] = [];
    expect(await notifyWatchers(message(tenantId), deps(jira, requeued))).toEqual({
      kind: 'sent',
      recipients: 1,
      droppedSender: 1,
      droppedInactive: 1,
    });
    expect(jira.notified.map((call) => call.notification.to.users)).toEqual([[{ name: 'bob' }]]);
    expect(await row(tenantId)).toMatchObject({ status: 'sent', lastStatus: 204, attempts: 1 });

    expect(await notifyWatchers(message(tenantId), deps(jira, requeued))).toEqual({ kind: 'alreadyDone', status: 'sent' });
    expect(jira.notified).toHaveLength(1);
    expect(requeued).toHaveLength(0);
  });

  /** Jira whose watchers call takes `ms` of the manual clock, with `meanwhile` run before it answers. */
  const slowWatchers = (inner: ScriptedJira, ms: number, meanwhile: () => Promise<void>): NotifyWatchersDeps['jira'] => ({
    watchers: async () => {
      clock.advance(ms);
      await meanwhile();
      return inner.watchers();
    },
    notify: (issue, notification) => inner.notify(issue, notification),
  });
  const keyOf = (tenantId: string) => ({ tenantId, internetMessageId: '<m1@example.test>', instanceId: 'demo', issueKey: 'DEMO-1' });

  it('renews a lease a slow watchers call left too short for the notify call: a copy arriving then is busy', async () => {
    const tenantId = newTenant();
    const inner = new ScriptedJira([]);
    const base = deps(inner, []);
    let copy: string | undefined;
    // 300 s lease, 280 s of it spent waiting: 20 s left, less than one call (30 s) and the write.
    const jira = slowWatchers(inner, 280_000, () => Promise.resolve());
    const notifyCall = inner.notify.bind(inner);
    inner.notify = async (issue, notification) => {
      copy = (await base.ledger.claim(keyOf(tenantId))).kind;
      return notifyCall(issue, notification);
    };
    expect(await notifyWatchers(message(tenantId), { ...base, jira })).toMatchObject({ kind: 'sent' });
    expect(copy).toBe('busy');
    expect(inner.notified).toHaveLength(1);
    expect(await row(tenantId)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('calls no notify when another copy took the row over during a slow watchers call: put back as busy', async () => {
    const tenantId = newTenant();
    const inner = new ScriptedJira([]);
    const requeued: { message: JiraNotifyMessage; delaySeconds: number }[] = [];
    const base = deps(inner, requeued);
    let taken: string | undefined;
    const jira = slowWatchers(inner, 301_000, async () => {
      taken = (await base.ledger.claim(keyOf(tenantId))).kind;
    });
    expect(await notifyWatchers(message(tenantId), { ...base, jira })).toEqual({ kind: 'requeued', cause: 'busy', delaySeconds: 600 });
    expect(taken).toBe('claimed');
    expect(inner.notified).toHaveLength(0);
    expect(requeued).toHaveLength(1);
    expect(await row(tenantId)).toMatchObject({ status: 'pending', attempts: 2 });
  });

  it('records sent with a reason when nobody is left, without calling notify', async () => {
    const tenantId = newTenant();
    const jira = new ScriptedJira([ok([{ name: 'alice', emailAddress: 'alice@example.test', active: true }])]);
    expect(await notifyWatchers(message(tenantId), deps(jira, []))).toMatchObject({ kind: 'sentWithoutRecipients', droppedSender: 1 });
    expect(jira.notified).toHaveLength(0);
    expect(await row(tenantId)).toMatchObject({ status: 'sent', reason: 'no_recipients' });
  });

  it('puts a copy back after Retry-After when throttled, gives the lease up, and the copy succeeds', async () => {
    const tenantId = newTenant();
    const jira = new ScriptedJira([{ kind: 'throttled', retryAfterSeconds: 2, status: 429 }]);
    const requeued: { message: JiraNotifyMessage; delaySeconds: number }[] = [];
    expect(await notifyWatchers(message(tenantId), deps(jira, requeued))).toEqual({
      kind: 'requeued',
      cause: 'throttled',
      delaySeconds: 3,
      status: 429,
    });
    expect(requeued).toHaveLength(1);
    expect(requeued[0]!.message.retry).toEqual({ throttled: 1, failed: 0 });
    const pending = await row(tenantId);
    expect(pending).toMatchObject({ status: 'pending', lastStatus: 429 });
    expect(pending?.leaseUntil).toBeUndefined();

    clock.advance(3000);
    expect(await notifyWatchers(requeued[0]!.message, deps(jira, requeued))).toMatchObject({ kind: 'sent' });
    expect(await row(tenantId)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('throttling of the notify call itself is handled the same way', async () => {
    const tenantId = newTenant();
    const jira = new ScriptedJira([], [{ kind: 'throttled', retryAfterSeconds: 5, status: 503 }]);
    const requeued: { message: JiraNotifyMessage; delaySeconds: number }[] = [];
    expect(await notifyWatchers(message(tenantId), deps(jira, requeued))).toMatchObject({
      kind: 'requeued',
      cause: 'throttled',
      delaySeconds: 6,
    });
    expect(jira.notified).toHaveLength(0);
  });

  it('throws when the copy cannot be put back, with the lease given up, so the host retries at once', async () => {
    const tenantId = newTenant();
    const jira = new ScriptedJira([{ kind: 'throttled', retryAfterSeconds: 2, status: 429 }]);
    await expect(notifyWatchers(message(tenantId), deps(jira, [], true))).rejects.toMatchObject({ code: 'storage_unavailable' });
    expect((await row(tenantId))?.leaseUntil).toBeUndefined();
    expect(await notifyWatchers(message(tenantId), deps(jira, []))).toMatchObject({ kind: 'sent' });
  });

  it('backs off on 5xx and transport failures, then leaves the message to the host', async () => {
    const tenantId = newTenant();
    const jira = new ScriptedJira([{ kind: 'transient', status: 502 }, new AppError({ code: 'upstream_timeout' })]);
    const requeued: { message: JiraNotifyMessage; delaySeconds: number }[] = [];
    expect(await notifyWatchers(message(tenantId), deps(jira, requeued))).toMatchObject({ kind: 'requeued', cause: 'failed', status: 502 });
    expect(await notifyWatchers(requeued[0]!.message, deps(jira, requeued))).toMatchObject({ kind: 'requeued', cause: 'failed' });
    expect(requeued.map((entry) => entry.message.retry.failed)).toEqual([1, 2]);
    expect(requeued[1]!.delaySeconds).toBeGreaterThan(requeued[0]!.delaySeconds);

    const exhausted = new ScriptedJira([{ kind: 'transient', status: 500 }]);
    await expect(
      notifyWatchers(message(tenantId, { throttled: 0, failed: defaultRetryPolicy.maxFailureRequeues }), deps(exhausted, [])),
    ).rejects.toMatchObject({ code: 'upstream_unreachable' });
    expect((await row(tenantId))?.leaseUntil).toBeUndefined();
  });

  it('records failed on 404, marks the link stale and does not retry', async () => {
    const [status, kind, reason] = [404, 'gone' as const, 'issue_not_found'];
    const tenantId = newTenant();
    await storage.repositories.links.insert({
      tenantId,
      conversationId: 'conv-1',
      instanceId: 'demo',
      issueKey: 'DEMO-1',
      userId: 'user-1',
      linkedAt: new Date(clock.now()).toISOString(),
    });
    const jira = new ScriptedJira([{ kind, status }]);
    const requeued: { message: JiraNotifyMessage; delaySeconds: number }[] = [];
    expect(await notifyWatchers(message(tenantId), deps(jira, requeued))).toEqual({ kind: 'failed', reason, status });
    expect(requeued).toHaveLength(0);
    expect(await row(tenantId)).toMatchObject({ status: 'failed', reason, lastStatus: status });
    expect(await storage.repositories.links.get({ tenantId, conversationId: 'conv-1', instanceId: 'demo', issueKey: 'DEMO-1' })).toEqual(
      expect.objectContaining({
        stale: true,
        staleStatus: status,
        staleChecks: 1,
        staleSince: new Date(clock.now()).toISOString(),
        nextCheckAt: new Date(clock.now() + STALE_FIRST_BACKOFF_MS).toISOString(),
      }),
    );
    expect(await notifyWatchers(message(tenantId), deps(jira, requeued))).toEqual({ kind: 'alreadyDone', status: 'failed' });
  });

  it.each<[string, number]>([
    ['the watcher list', 0],
    ['notify', 1],
  ])('a 403 on %s is jira_forbidden: recorded failed, not retried, the link stays live for the next mail', async (_call, after) => {
    const tenantId = newTenant();
    const key = { tenantId, conversationId: 'conv-1', instanceId: 'demo', issueKey: 'DEMO-1' };
    const linked = { ...key, userId: 'user-1', linkedAt: new Date(clock.now()).toISOString() };
    await storage.repositories.links.insert(linked);
    const forbidden = { kind: 'forbidden' as const, status: 403 };
    const jira = after === 0 ? new ScriptedJira([forbidden]) : new ScriptedJira([], [forbidden]);
    const requeued: { message: JiraNotifyMessage; delaySeconds: number }[] = [];
    expect(await notifyWatchers(message(tenantId), deps(jira, requeued))).toEqual({
      kind: 'failed',
      reason: 'jira_forbidden',
      status: 403,
    });
    expect(requeued).toHaveLength(0);
    expect(await row(tenantId)).toMatchObject({ status: 'failed', reason: 'jira_forbidden', lastStatus: 403 });
    expect(await storage.repositories.links.get(key)).toEqual(linked);

    // The admin grants the permission: the next mail of the conversation is sent.
    const next = message(tenantId);
    const fixed = new ScriptedJira([]);
    const sent = await notifyWatchers({ ...next, mail: { ...next.mail, internetMessageId: '<m2@example.test>' } }, deps(fixed, []));
    expect(sent).toMatchObject({ kind: 'sent' });
    expect(fixed.notified).toHaveLength(1);
  });

  it('a refused probe doubles the backoff (up to a day); refusals while it is not due change nothing; an answer revives the link', async () => {
    const tenantId = newTenant();
    const key = { tenantId, conversationId: 'conv-1', instanceId: 'demo', issueKey: 'DEMO-1' };
    await storage.repositories.links.insert({ ...key, userId: 'user-1', linkedAt: new Date(clock.now()).toISOString() });
    const since = clock.now();
    const mailNumber = { next: 1 };
    const probe = (): JiraNotifyMessage => {
      const base = message(tenantId);
      return { ...base, probe: true, mail: { ...base.mail, internetMessageId: `<probe-${mailNumber.next++}@example.test>` } };
    };
    const refusedOnce = () => new ScriptedJira([{ kind: 'gone', status: 404 }]);

    expect(await notifyWatchers(probe(), deps(refusedOnce(), []))).toMatchObject({ kind: 'failed', reason: 'issue_not_found' });
    // Another mail's copy refused meanwhile, before the next check is due: the same backoff.
    expect(await notifyWatchers(probe(), deps(refusedOnce(), []))).toMatchObject({ kind: 'failed' });
    const waits: number[] = [];
    for (let probes = 0; probes < 9; probes += 1) {
      const link = (await storage.repositories.links.get(key))!;
      waits.push(Date.parse(link.nextCheckAt!) - clock.now());
      clock.advance(Date.parse(link.nextCheckAt!) - clock.now());
      await notifyWatchers(probe(), deps(refusedOnce(), []));
    }
    const minutes = (n: number) => n * 60_000;
    expect(waits).toEqual([15, 30, 60, 120, 240, 480, 960, 1440, 1440].map(minutes));
    expect(await storage.repositories.links.get(key)).toMatchObject({
      stale: true,
      staleChecks: 10,
      staleSince: new Date(since).toISOString(),
    });

    // Jira shows the issue again: the probe is sent, and the link is live.
    clock.advance(minutes(1440));
    const answered = new ScriptedJira([]);
    expect(await notifyWatchers(probe(), deps(answered, []))).toMatchObject({ kind: 'sent' });
    expect(answered.notified).toHaveLength(1);
    const live = await storage.repositories.links.get(key);
    expect(live).toEqual({ ...key, userId: 'user-1', linkedAt: new Date(since).toISOString() });
  });

  it('throws on a refused service credential, and for a busy row looks again when the lease ends', async () => {
    const tenantId = newTenant();
    const jira = new ScriptedJira([{ kind: 'refused', status: 401 }]);
    await expect(notifyWatchers(message(tenantId), deps(jira, []))).rejects.toMatchObject({ code: 'jira_forbidden' });
    expect((await row(tenantId))?.leaseUntil).toBeUndefined();

    const other = newTenant();
    const ledger = new DeliveryLedger({ repository: storage.repositories.deliveries, clock, leaseSeconds: 300 });
    await ledger.claim({ tenantId: other, internetMessageId: '<m1@example.test>', instanceId: 'demo', issueKey: 'DEMO-1' });
    clock.advance(100_000);
    const requeued: { message: JiraNotifyMessage; delaySeconds: number }[] = [];
    const idle = new ScriptedJira([]);
    expect(await notifyWatchers(message(other), deps(idle, requeued))).toEqual({ kind: 'requeued', cause: 'busy', delaySeconds: 201 });
    expect(idle.watcherCalls).toBe(0);
    expect(requeued[0]!.message.retry).toEqual({ throttled: 0, failed: 0 });
  });

  it('records an unknown instance as failed', async () => {
    const tenantId = newTenant();
    const jira = new ScriptedJira([new AppError({ code: 'instance_not_found' })]);
    expect(await notifyWatchers(message(tenantId), deps(jira, []))).toEqual({ kind: 'failed', reason: 'instance_not_found' });
    expect(await row(tenantId)).toMatchObject({ status: 'failed', reason: 'instance_not_found' });
  });
});
