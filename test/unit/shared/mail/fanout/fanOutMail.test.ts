import { AppError } from '../../../../../shared/platform/errors/AppError';
import { fanOutMail, type FanOutMailDeps } from '../../../../../shared/mail/fanout/fanOutMail';
import type { JiraNotifyMessage } from '../../../../../shared/mail/fanout/jiraNotifyMessage';
import { jiraNotifyMessageSchema } from '../../../../../shared/mail/fanout/jiraNotifyMessage';
import { throttledError } from '../../../../../shared/mail/graph/throttledError';
import type { GraphNotificationMessage } from '../../../../../shared/mail/webhooks/graphNotificationMessage';
import type { MailResourceData } from '../../../../../shared/mail/webhooks/mailResourceDataSchema';
import { ManualClock, newTenant, startFanoutTestStorage, type FanoutTestStorage } from './fanoutTestStorage';

describe('fanOutMail against Azurite', () => {
  let storage: FanoutTestStorage;
  const clock = new ManualClock();

  beforeAll(async () => {
    storage = await startFanoutTestStorage();
  });
  afterAll(() => storage?.stop());

  const mail = (conversationId: string | null, internetMessageId = '<m1@example.test>'): MailResourceData => ({
    id: 'AAMk/1+=',
    internetMessageId,
    conversationId,
    subject: 'Hello',
    from: { emailAddress: { name: 'Alice', address: 'alice@example.test' } },
    receivedDateTime: '2030-01-01T00:00:00Z',
    bodyPreview: 'Hi',
    webLink: 'https://outlook.office365.com/owa/?ItemID=1',
  });

  const notification = (tenantId: string, resourceData?: MailResourceData): GraphNotificationMessage => ({
    version: 1,
    origin: 'webhook',
    tenantId,
    subscriptionId: `sub-${tenantId}`,
    userId: 'user-1',
    changeType: 'created',
    resource: 'Users/user-1/Messages/AAMk1',
    messageId: 'AAMk1',
    receivedAt: new Date(clock.now()).toISOString(),
    ...(resourceData ? { resourceData } : {}),
  });

  interface Recorded {
    enqueued: JiraNotifyMessage[];
    requeued: number[];
    watermarks: [string, string][];
    reads: number;
  }

  function deps(read: () => Promise<MailResourceData>): { deps: FanOutMailDeps; recorded: Recorded } {
    const recorded: Recorded = { enqueued: [], requeued: [], watermarks: [], reads: 0 };
    return {
      recorded,
      deps: {
        readMail: async () => {
          recorded.reads += 1;
          return read();
        },
        links: storage.repositories.links,
        deliveries: storage.repositories.deliveries,
        enqueue: async (messages) => void recorded.enqueued.push(...messages),
        requeue: async (_message, delaySeconds) => void recorded.requeued.push(delaySeconds),
        watermarks: { advance: async (subscriptionId, at) => void recorded.watermarks.push([subscriptionId, at]) },
        clock,
        maxDelaySeconds: 600,
      },
    };
  }

  async function link(
    tenantId: string,
    conversationId: string,
    issueKey: string,
    options: { nextCheckInMs?: number; userId?: string; mailboxId?: string; linkedAt?: string } = {},
  ): Promise<void> {
    await storage.repositories.links.insert({
      tenantId,
      conversationId,
      instanceId: 'demo',
      issueKey,
      userId: options.userId ?? 'user-1',
      ...(options.mailboxId === undefined ? {} : { mailboxId: options.mailboxId }),
      linkedAt: options.linkedAt ?? new Date(clock.now()).toISOString(),
      ...(options.nextCheckInMs === undefined
        ? {}
        : {
            stale: true,
            staleSince: new Date(clock.now()).toISOString(),
            staleStatus: 404,
            staleChecks: 1,
            nextCheckAt: new Date(clock.now() + options.nextCheckInMs).toISOString(),
          }),
    });
  }

  it('enqueues one valid message per live link, reading the mail through Graph, and moves the watermark', async () => {
    const tenantId = newTenant();
    const conversationId = `conv/${tenantId}+=`;
    await link(tenantId, conversationId, 'DEMO-1');
    await link(tenantId, conversationId, 'DEMO-2');
    await link(tenantId, conversationId, 'DEMO-3', { nextCheckInMs: 60_000 });
    const { deps: d, recorded } = deps(async () => mail(conversationId));
    expect(await fanOutMail(notification(tenantId), d)).toEqual({ kind: 'enqueued', issues: 2, alreadyDelivered: 0, staleLinks: 1 });
    expect(recorded.reads).toBe(1);
    expect(recorded.enqueued.map((m) => m.issueKey).sort()).toEqual(['DEMO-1', 'DEMO-2']);
    for (const message of recorded.enqueued) expect(jiraNotifyMessageSchema.parse(message)).toEqual(message);
    expect(recorded.enqueued[0]!.mail).toMatchObject({
      internetMessageId: '<m1@example.test>',
      conversationId,
      fromAddress: 'alice@example.test',
    });
    expect(recorded.watermarks).toEqual([[`sub-${tenantId}`, '2030-01-01T00:00:00Z']]);
  });

  it('sends through a stale link once its backoff has passed, marked as a probe', async () => {
    const tenantId = newTenant();
    await link(tenantId, 'conv-probe', 'DEMO-1', { nextCheckInMs: 0 });
    await link(tenantId, 'conv-probe', 'DEMO-2', { nextCheckInMs: 1 });
    const { deps: d, recorded } = deps(async () => mail('conv-probe'));
    expect(await fanOutMail(notification(tenantId), d)).toEqual({ kind: 'enqueued', issues: 1, alreadyDelivered: 0, staleLinks: 1 });
    expect(recorded.enqueued).toEqual([expect.objectContaining({ issueKey: 'DEMO-1', probe: true })]);
    expect(jiraNotifyMessageSchema.parse(recorded.enqueued[0])).toEqual(recorded.enqueued[0]);
  });

  it('uses only links the mailbox owner made, before the mail arrived', async () => {
    const tenantId = newTenant();
    await link(tenantId, 'conv-owner', 'DEMO-1', { userId: 'USER-1' });
    await link(tenantId, 'conv-owner', 'DEMO-2', { userId: 'someone-else' });
    // Linked a day after the mail arrived (a catch-up lists old mail): not for this mail.
    await link(tenantId, 'conv-owner', 'DEMO-3', { linkedAt: '2030-01-02T00:00:00.000Z' });
    // Within a minute of it: clocks differ, and Graph's time has whole seconds.
    await link(tenantId, 'conv-owner', 'DEMO-4', { linkedAt: '2030-01-01T00:00:59.000Z' });
    const { deps: d, recorded } = deps(async () => mail('conv-owner'));
    expect(await fanOutMail(notification(tenantId), d)).toEqual({ kind: 'enqueued', issues: 2, alreadyDelivered: 0, staleLinks: 0 });
    expect(recorded.enqueued.map((m) => m.issueKey).sort()).toEqual(['DEMO-1', 'DEMO-4']);

    await link(tenantId, 'conv-foreign', 'DEMO-1', { userId: 'someone-else' });
    const foreign = deps(async () => mail('conv-foreign'));
    expect(await fanOutMail(notification(tenantId), foreign.deps)).toEqual({ kind: 'notLinked' });
    expect(foreign.recorded.enqueued).toEqual([]);
  });

  it('a shared mailbox’s link carries that mailbox’s mail only, never the personal mail of the member who made it', async () => {
    const tenantId = newTenant();
    // user-2, a member of the shared mailbox "shared-1", linked the shared conversation.
    await link(tenantId, 'conv-shared', 'DEMO-1', { userId: 'user-2', mailboxId: 'shared-1' });
    const sharedMail = deps(async () => mail('conv-shared'));
    expect(await fanOutMail({ ...notification(tenantId), userId: 'SHARED-1' }, sharedMail.deps)).toMatchObject({
      kind: 'enqueued',
      issues: 1,
    });
    expect(sharedMail.recorded.enqueued.map((m) => m.issueKey)).toEqual(['DEMO-1']);

    for (const receiver of ['user-2', 'user-1']) {
      const personal = deps(async () => mail('conv-shared'));
      expect(await fanOutMail({ ...notification(tenantId), userId: receiver }, personal.deps)).toEqual({ kind: 'notLinked' });
      expect(personal.recorded.enqueued).toEqual([]);
    }
  });

  /** DEMO-1 of conv-2 already notified of `<m1@example.test>` (through another mailbox, or before a catch-up listed it again). */
  async function deliveredOnce(tenantId: string): Promise<void> {
    await link(tenantId, 'conv-2', 'DEMO-1');
    await link(tenantId, 'conv-2', 'DEMO-2');
    await storage.repositories.deliveries.insert({
      tenantId,
      internetMessageId: '<m1@example.test>',
      instanceId: 'demo',
      issueKey: 'DEMO-1',
      status: 'sent',
      attempts: 1,
      createdAt: new Date(clock.now()).toISOString(),
      updatedAt: new Date(clock.now()).toISOString(),
    });
  }

  it('takes a rich notification of a catch-up as it is, and skips issues the mail was already delivered to', async () => {
    const tenantId = newTenant();
    await deliveredOnce(tenantId);
    const { deps: d, recorded } = deps(() => Promise.reject(new Error('no Graph read expected')));
    expect(
      await fanOutMail({ ...notification(tenantId, mail('conv-2')), origin: 'catchUp' }, { ...d, trails: storage.repositories.trails }),
    ).toEqual({
      kind: 'enqueued',
      issues: 1,
      alreadyDelivered: 1,
      staleLinks: 0,
    });
    expect(recorded.reads).toBe(0);
    expect(recorded.enqueued.map((m) => m.issueKey)).toEqual(['DEMO-2']);
    const trail = await storage.repositories.trails.get({ tenantId, userId: 'user-1', messageId: 'AAMk1' });
    expect(trail?.issues.map((issue) => `${issue.issueKey} ${issue.state}`).sort()).toEqual(['DEMO-1 alreadyHandled', 'DEMO-2 queued']);
  });

  it("queues every issue of a webhook's mail without reading the deliveries: the notify step's ledger refuses a repeat", async () => {
    const tenantId = newTenant();
    await deliveredOnce(tenantId);
    const { deps: d, recorded } = deps(() => Promise.reject(new Error('no Graph read expected')));
    const deliveries: FanOutMailDeps['deliveries'] = {
      listByMessage: () => {
        throw new Error('no deliveries read expected');
      },
    };
    expect(await fanOutMail(notification(tenantId, mail('conv-2')), { ...d, deliveries })).toEqual({
      kind: 'enqueued',
      issues: 2,
      alreadyDelivered: 0,
      staleLinks: 0,
    });
    expect(recorded.enqueued.map((m) => m.issueKey).sort()).toEqual(['DEMO-1', 'DEMO-2']);
  });

  it('stops after the link lookup for a mail in no linked conversation', async () => {
    const { deps: d, recorded } = deps(async () => mail('conv-none'));
    expect(await fanOutMail(notification(newTenant()), d)).toEqual({ kind: 'notLinked' });
    expect(recorded.enqueued).toHaveLength(0);
    expect(recorded.watermarks).toHaveLength(1);
  });

  it("records a suppressed mail's own reason in the mail trail, so the admin sees why a linked conversation's mail went to no one", async () => {
    const tenantId = newTenant();
    await link(tenantId, 'conv-draft', 'DEMO-9');
    const { deps: d, recorded } = deps(async () => ({ ...mail('conv-draft', '<draft@example.test>'), isDraft: true }));
    expect(await fanOutMail(notification(tenantId), { ...d, trails: storage.repositories.trails })).toEqual({
      kind: 'suppressed',
      reason: 'draft',
    });
    expect(recorded.enqueued).toHaveLength(0);
    const trail = await storage.repositories.trails.get({ tenantId, userId: 'user-1', messageId: 'AAMk1' });
    expect(trail).toMatchObject({ outcome: 'dropped', reason: 'draft', conversationId: 'conv-draft' });
  });

  it('ignores a mail gone before it was read, one without a conversation and other change types', async () => {
    const gone = deps(() => Promise.reject(new AppError({ code: 'graph_not_found' })));
    expect(await fanOutMail(notification(newTenant()), gone.deps)).toEqual({ kind: 'ignored', reason: 'mailGone' });
    const bare = deps(async () => mail(null));
    expect(await fanOutMail(notification(newTenant()), bare.deps)).toEqual({ kind: 'ignored', reason: 'noConversation' });
    const updated = deps(async () => mail('c'));
    expect(await fanOutMail({ ...notification(newTenant()), changeType: 'updated' }, updated.deps)).toEqual({
      kind: 'ignored',
      reason: 'changeType',
    });
    expect(updated.recorded.reads).toBe(0);
  });

  it('puts the notification back when Graph throttles, and lets other failures through', async () => {
    const throttled = deps(() => Promise.reject(throttledError('Microsoft Graph', 7)));
    expect(await fanOutMail(notification(newTenant()), throttled.deps)).toEqual({ kind: 'requeued', delaySeconds: 8 });
    expect(throttled.recorded.requeued).toEqual([8]);
    const failing = deps(() => Promise.reject(new AppError({ code: 'upstream_unreachable' })));
    await expect(fanOutMail(notification(newTenant()), failing.deps)).rejects.toMatchObject({ code: 'upstream_unreachable' });
  });
});
