import { DeliveryLedger } from '../../../../../shared/mail/fanout/DeliveryLedger';
import type { IssueRef, JiraCallResult, JiraIssueNotifier } from '../../../../../shared/mail/fanout/JiraIssueNotifier';
import type { JiraNotification } from '../../../../../shared/mail/fanout/JiraNotification';
import type { JiraNotifyMessage } from '../../../../../shared/mail/fanout/jiraNotifyMessage';
import { defaultRetryPolicy } from '../../../../../shared/mail/fanout/nextRetry';
import { notifyWatchers, type NotifyWatchersDeps } from '../../../../../shared/mail/fanout/notifyWatchers';
import { NotifyWindow } from '../../../../../shared/mail/fanout/NotifyWindow';
import { ManualClock, newTenant, startFanoutTestStorage, type FanoutTestStorage } from './fanoutTestStorage';

const WINDOW_SECONDS = 300;
/** Mail numbers are unique across setups: two setups of one tenant share its ledger. */
let mailCounter = 0;

/** Jira that answers the watcher list and records every notification; `gone` makes the issue 404. */
class RecordingJira implements Pick<JiraIssueNotifier, 'watchers' | 'notify'> {
  readonly sent: JiraNotification[] = [];
  gone = false;
  async watchers(): Promise<JiraCallResult<{ name: string; emailAddress: string; active: boolean }[]>> {
    if (this.gone) return { kind: 'gone', status: 404 };
    return { kind: 'ok', status: 200, value: [{ name: 'bob', emailAddress: 'bob@example.test', active: true }] };
  }
  async notify(_issue: IssueRef, notification: JiraNotification): Promise<JiraCallResult<undefined>> {
    this.sent.push(notification);
    return { kind: 'ok', value: undefined, status: 204 };
  }
}

describe('storm control (NotifyWindow with notifyWatchers) against Azurite, on a manual clock', () => {
  let storage: FanoutTestStorage;

  beforeAll(async () => {
    storage = await startFanoutTestStorage();
  });
  afterAll(() => storage?.stop());

  function setup(tenantId: string, windowSeconds = WINDOW_SECONDS) {
    const clock = new ManualClock();
    const jira = new RecordingJira();
    const scheduled: { message: JiraNotifyMessage; delaySeconds: number }[] = [];
    const window = new NotifyWindow({
      digests: storage.repositories.digests,
      clock,
      windowSeconds,
      schedule: async (message, delaySeconds) => void scheduled.push({ message, delaySeconds }),
    });
    const deps: NotifyWatchersDeps = {
      ledger: new DeliveryLedger({ repository: storage.repositories.deliveries, clock, leaseSeconds: 60 }),
      jira,
      links: storage.repositories.links,
      requeue: async () => undefined,
      policy: { ...defaultRetryPolicy, maxDelaySeconds: 600 },
      jiraCallMs: 30_000,
      clock,
      window,
    };
    const mail = (subject: string): JiraNotifyMessage => {
      mailCounter += 1;
      const n = mailCounter;
      return {
        version: 1,
        tenantId,
        instanceId: 'demo',
        issueKey: 'DEMO-1',
        mailboxUserId: 'user-1',
        mail: {
          internetMessageId: `<m${n}@example.test>`,
          conversationId: 'AAQk/conv+1=',
          messageId: `AAMk${n}`,
          subject,
          fromName: 'Alice',
          fromAddress: 'alice@example.test',
          receivedDateTime: new Date(clock.now()).toISOString(),
          bodyPreview: 'Hi',
        },
        enqueuedAt: new Date(clock.now()).toISOString(),
        retry: { throttled: 0, failed: 0 },
      };
    };
    const held = async () => {
      const rows = [];
      for await (const row of storage.repositories.digests.mails.listPartition({
        tenantId,
        conversationId: 'AAQk/conv+1=',
        instanceId: 'demo',
        issueKey: 'DEMO-1',
      }))
        rows.push(row);
      return rows;
    };
    return { clock, jira, scheduled, window, deps, mail, held };
  }

  it('the first mail goes alone, the window’s others wait for one digest at its end; after the digest a new window is open', async () => {
    const { clock, jira, scheduled, deps, mail, held } = setup(newTenant());
    expect(await notifyWatchers(mail('Quarterly numbers'), deps)).toMatchObject({ kind: 'sent', recipients: 1 });
    expect(jira.sent.map((n) => n.subject)).toEqual(['[DEMO-1] New e-mail: Quarterly numbers']);

    clock.advance(60_000);
    expect(await notifyWatchers(mail('RE: Quarterly numbers'), deps)).toEqual({ kind: 'held' });
    clock.advance(60_000);
    expect(await notifyWatchers(mail('RE: RE: Quarterly numbers'), deps)).toEqual({ kind: 'held' });
    expect(jira.sent).toHaveLength(1);
    expect(await held()).toHaveLength(2);
    // One flush, due when the window that opened at 0 s ends (300 s), asked for at 60 s.
    expect(scheduled.map((s) => [s.message.digest?.seq, s.delaySeconds])).toEqual([[1, 240]]);

    const flush = scheduled[0]!.message;
    // A flush that comes before its window ends waits for the rest of it and sends nothing.
    expect(await notifyWatchers(flush, deps)).toEqual({ kind: 'requeued', cause: 'windowOpen', delaySeconds: 180 });
    expect(jira.sent).toHaveLength(1);
    clock.advance(180_000);
    expect(await notifyWatchers(flush, deps)).toMatchObject({ kind: 'sent', recipients: 1 });
    expect(jira.sent).toHaveLength(2);
    expect(jira.sent[1]?.subject).toBe('[DEMO-1] 2 new e-mails in RE: Quarterly numbers');
    expect(jira.sent[1]?.textBody.split('\n').filter((line) => line.startsWith('- '))).toEqual([
      '- 2030-01-01 00:01 UTC Alice <alice@example.test>: RE: Quarterly numbers',
      '- 2030-01-01 00:02 UTC Alice <alice@example.test>: RE: RE: Quarterly numbers',
    ]);
    expect(await held()).toHaveLength(0);

    // Right after the digest: held again, for digest 2 a full window later.
    clock.advance(10_000);
    expect(await notifyWatchers(mail('Later'), deps)).toEqual({ kind: 'held' });
    expect(scheduled.map((s) => [s.message.digest?.seq, s.delaySeconds])).toEqual([
      [1, 240],
      [2, 290],
    ]);
    // A copy of the flush that comes early (a duplicate) finds digest 1 done and sends nothing.
    expect(await notifyWatchers(flush, deps)).toEqual({ kind: 'alreadyDone', status: 'sent' });
    clock.advance(290_000);
    await notifyWatchers(scheduled[1]!.message, deps);
    expect(jira.sent.map((n) => n.subject)).toEqual([
      '[DEMO-1] New e-mail: Quarterly numbers',
      '[DEMO-1] 2 new e-mails in RE: Quarterly numbers',
      '[DEMO-1] 1 new e-mail in Later',
    ]);

    // After a quiet window with nothing waiting, the next mail goes alone again.
    clock.advance(WINDOW_SECONDS * 1000);
    expect(await notifyWatchers(mail('Next week'), deps)).toMatchObject({ kind: 'sent' });
    expect(jira.sent).toHaveLength(4);
  });

  it('a flush retried after Jira sent the digest but before the window moved on (a crash) sends nothing twice and tidies up', async () => {
    const { clock, jira, scheduled, window, deps, mail, held } = setup(newTenant());
    await notifyWatchers(mail('One'), deps);
    await notifyWatchers(mail('Two'), deps);
    await notifyWatchers(mail('Three'), deps);
    clock.advance(WINDOW_SECONDS * 1000);
    const flush = scheduled[0]!.message;
    const crashing: NotifyWatchersDeps = {
      ...deps,
      window: {
        admit: (m) => window.admit(m),
        secondsUntilDue: (m) => window.secondsUntilDue(m),
        collect: (m) => window.collect(m),
        finish: () => Promise.reject(new Error('worker killed')),
      },
    };
    await expect(notifyWatchers(flush, crashing)).rejects.toThrow('worker killed');
    expect(jira.sent).toHaveLength(2);
    expect(await held()).toHaveLength(2);

    // The host retries the message: the ledger says digest 1 is sent, so only the tidying runs.
    expect(await notifyWatchers(flush, deps)).toEqual({ kind: 'alreadyDone', status: 'sent' });
    expect(jira.sent).toHaveLength(2);
    expect(await held()).toHaveLength(0);
    const windowRow = await storage.repositories.digests.windows.get({
      tenantId: flush.tenantId,
      conversationId: flush.mail.conversationId,
      instanceId: 'demo',
      issueKey: 'DEMO-1',
    });
    expect(windowRow).toMatchObject({ seq: 1 });
    expect(windowRow?.flushDueAt).toBeUndefined();
  });

  it('a mail held while its window’s digest is being sent is not lost: the digest’s end schedules the next one for it', async () => {
    const { clock, jira, scheduled, window, deps, mail } = setup(newTenant());
    await notifyWatchers(mail('One'), deps);
    await notifyWatchers(mail('Two'), deps);
    clock.advance(WINDOW_SECONDS * 1000);
    const late = mail('Late');
    const racing: NotifyWatchersDeps = {
      ...deps,
      window: {
        admit: (m) => window.admit(m),
        secondsUntilDue: (m) => window.secondsUntilDue(m),
        // Another worker holds a mail between this flush's collecting and its finishing.
        collect: async (m) => {
          const members = await window.collect(m);
          expect(await notifyWatchers(late, deps)).toEqual({ kind: 'held' });
          return members;
        },
        finish: (m) => window.finish(m),
      },
    };
    await notifyWatchers(scheduled[0]!.message, racing);
    expect(jira.sent.map((n) => n.subject)).toEqual(['[DEMO-1] New e-mail: One', '[DEMO-1] 1 new e-mail in Two']);
    expect(scheduled.map((s) => s.message.digest?.seq)).toEqual([1, 2]);

    clock.advance(WINDOW_SECONDS * 1000);
    await notifyWatchers(scheduled[1]!.message, deps);
    expect(jira.sent.map((n) => n.subject)).toEqual([
      '[DEMO-1] New e-mail: One',
      '[DEMO-1] 1 new e-mail in Two',
      '[DEMO-1] 1 new e-mail in Two',
    ]);
    expect(jira.sent[2]?.textBody).toContain(': Late');
  });

  it('a digest whose issue is gone is recorded failed and still moves the window on, so later mails are not stuck', async () => {
    const { clock, jira, scheduled, deps, mail, held } = setup(newTenant());
    await notifyWatchers(mail('One'), deps);
    await notifyWatchers(mail('Two'), deps);
    clock.advance(WINDOW_SECONDS * 1000);
    jira.gone = true;
    expect(await notifyWatchers(scheduled[0]!.message, deps)).toMatchObject({ kind: 'failed', reason: 'issue_not_found' });
    expect(await held()).toHaveLength(0);
    jira.gone = false;
    clock.advance(WINDOW_SECONDS * 1000);
    expect(await notifyWatchers(mail('Three'), deps)).toMatchObject({ kind: 'sent' });
  });

  it('switched off (0), every mail goes alone; a digest held before it was switched off still goes out', async () => {
    const tenantId = newTenant();
    const before = setup(tenantId);
    await notifyWatchers(before.mail('One'), before.deps);
    await notifyWatchers(before.mail('Two'), before.deps);
    const off = setup(tenantId, 0);
    for (const subject of ['Three', 'Four']) expect(await notifyWatchers(off.mail(subject), off.deps)).toMatchObject({ kind: 'sent' });
    expect(off.jira.sent.map((n) => n.subject)).toEqual(['[DEMO-1] New e-mail: Three', '[DEMO-1] New e-mail: Four']);
    expect(await notifyWatchers(before.scheduled[0]!.message, off.deps)).toMatchObject({ kind: 'sent' });
    expect(off.jira.sent[2]?.subject).toBe('[DEMO-1] 1 new e-mail in Two');
    expect(await off.held()).toHaveLength(0);
  });
});
