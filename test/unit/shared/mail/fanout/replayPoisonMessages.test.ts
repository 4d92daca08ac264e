import { QueueAdmin } from '../../../../../shared/platform/storage/QueueAdmin';
import { isTenantMessage, replayPoisonMessages, toQueueName } from '../../../../../shared/mail/fanout/replayPoisonMessages';
import { encodeQueueMessage } from '../../../../../shared/platform/storage/queueMessageCodec';
import { queueNames } from '../../../../../shared/platform/storage/queueNames';
import { startFanoutTestStorage, type FanoutTestStorage } from './fanoutTestStorage';

describe('replayPoisonMessages against Azurite', () => {
  let storage: FanoutTestStorage;
  let admin: QueueAdmin;
  beforeAll(async () => {
    storage = await startFanoutTestStorage();
    admin = new QueueAdmin({ queues: storage.queueClients });
  });
  afterAll(() => storage?.stop());

  it('moves every poison message back with exactly its text and says how many', async () => {
    const texts = Array.from({ length: 40 }, (_, i) =>
      Buffer.from(JSON.stringify({ version: 1, n: i, retry: { throttled: 0, failed: 5 } })).toString('base64'),
    );
    // Not only our own encoding: whatever the host put there goes back as it is.
    texts.push('not base64 at all: {"x": "ü"}');
    for (const text of texts) await admin.sendText('jira-notify-poison', text);

    const result = await replayPoisonMessages(admin, queueNames.jiraNotify, { now: () => Date.now() + 1000 });
    expect(result).toEqual({ queue: 'jira-notify', moved: texts.length, leftForLater: 0, complete: true, dryRun: false });
    expect(await admin.approximateCount('jira-notify-poison')).toBe(0);
    const back: string[] = [];
    for (;;) {
      const batch = await admin.receive('jira-notify', { max: 32 });
      if (batch.length === 0) break;
      for (const message of batch) {
        back.push(message.messageText);
        await admin.delete('jira-notify', message);
      }
    }
    expect(back.sort()).toEqual([...texts].sort());
  });

  it('leaves messages poisoned during the replay for the next one', async () => {
    await admin.sendText('graph-notifications-poison', 'eyJhIjoxfQ==');
    const result = await replayPoisonMessages(admin, queueNames.graphNotifications, {
      now: () => Date.now() - 60_000,
      visibilityTimeoutSeconds: 1,
    });
    expect(result).toEqual({ queue: 'graph-notifications', moved: 0, leftForLater: 1, complete: true, dryRun: false });
    // Made visible again when the replay ended, for the next one.
    expect((await admin.peek('graph-notifications-poison')).map((message) => message.messageText)).toEqual(['eyJhIjoxfQ==']);
    await drain('graph-notifications-poison');
  });

  async function drain(queue: string): Promise<string[]> {
    const texts: string[] = [];
    for (let batch = await admin.receive(queue, { max: 32 }); batch.length > 0; batch = await admin.receive(queue, { max: 32 })) {
      for (const message of batch) {
        texts.push(message.messageText);
        await admin.delete(queue, message);
      }
    }
    return texts.sort();
  }

  it("with a tenant filter moves that tenant's messages only; the others stay, visible at once, id and text unchanged", async () => {
    const tenant = '11111111-1111-4111-8111-111111111111';
    const other = '22222222-2222-4222-8222-222222222222';
    // More than one receive's worth, mostly other tenants', interleaved; and a message of nobody.
    const texts = Array.from({ length: 70 }, (_, n) => encodeQueueMessage({ version: 1, tenantId: n % 7 === 0 ? tenant : other, n }));
    texts.push('bm90IEpTT04=');
    for (const text of texts) await admin.sendText('graph-lifecycle-poison', text);
    const before = (await admin.peek('graph-lifecycle-poison', 32)).filter((message) => !message.messageText.includes(tenant));

    const result = await replayPoisonMessages(admin, queueNames.graphLifecycle, {
      belongsTo: isTenantMessage(tenant),
      now: () => Date.now() + 1000,
    });
    const mine = texts.filter((_, n) => n < 70 && n % 7 === 0);
    expect(result).toEqual({ queue: 'graph-lifecycle', moved: mine.length, leftForLater: 0, complete: true, dryRun: false });
    expect(await drain('graph-lifecycle')).toEqual([...mine].sort());
    // Peeked straight after: every other message is visible again, as it was.
    const after = await admin.peek('graph-lifecycle-poison', 32);
    expect(after).toHaveLength(32);
    const byId = new Map(before.map((message) => [message.messageId, message]));
    for (const message of after.filter((m) => byId.has(m.messageId))) {
      expect(message.messageText).toBe(byId.get(message.messageId)!.messageText);
      expect(message.insertedOn).toBe(byId.get(message.messageId)!.insertedOn);
    }
    expect(await drain('graph-lifecycle-poison')).toEqual(texts.filter((text) => !mine.includes(text)).sort());
  });

  it("a dry run counts the tenant's messages a replay would move and moves none: every message is visible again at once", async () => {
    const tenant = '44444444-4444-4444-8444-444444444444';
    const other = '55555555-5555-4555-8555-555555555555';
    const texts = Array.from({ length: 40 }, (_, n) => encodeQueueMessage({ version: 1, tenantId: n % 4 === 0 ? tenant : other, n }));
    for (const text of texts) await admin.sendText('graph-notifications-poison', text);

    const preview = await replayPoisonMessages(admin, queueNames.graphNotifications, {
      belongsTo: isTenantMessage(tenant),
      dryRun: true,
      now: () => Date.now() + 1000,
    });
    expect(preview).toEqual({ queue: 'graph-notifications', moved: 10, leftForLater: 0, complete: true, dryRun: true });
    expect(await admin.peek('graph-notifications', 32)).toEqual([]);
    expect(await drain('graph-notifications-poison')).toEqual([...texts].sort());
  });

  it('stops at maxScanned and says it may not have seen everything', async () => {
    const tenant = '33333333-3333-4333-8333-333333333333';
    for (let n = 0; n < 10; n += 1) await admin.sendText('jira-notify-poison', encodeQueueMessage({ version: 1, tenantId: tenant, n }));
    const first = await replayPoisonMessages(admin, queueNames.jiraNotify, {
      belongsTo: isTenantMessage(tenant),
      maxScanned: 4,
      now: () => Date.now() + 1000,
    });
    expect(first).toEqual({ queue: 'jira-notify', moved: 4, leftForLater: 0, complete: false, dryRun: false });
    const rest = await replayPoisonMessages(admin, queueNames.jiraNotify, {
      belongsTo: isTenantMessage(tenant),
      now: () => Date.now() + 1000,
    });
    expect(rest).toEqual({ queue: 'jira-notify', moved: 6, leftForLater: 0, complete: true, dryRun: false });
    expect(await drain('jira-notify')).toHaveLength(10);
  });

  it('a release that fails leaves the message to its visibility timeout, and the replay still answers', async () => {
    await admin.sendText('graph-notifications-poison', encodeQueueMessage({ version: 1, tenantId: 'someone-else' }));
    const failingRelease = {
      receive: admin.receive.bind(admin),
      sendText: admin.sendText.bind(admin),
      delete: admin.delete.bind(admin),
      release: () => Promise.reject(new Error('storage down')),
    };
    const result = await replayPoisonMessages(failingRelease, queueNames.graphNotifications, {
      belongsTo: isTenantMessage('44444444-4444-4444-8444-444444444444'),
      visibilityTimeoutSeconds: 600,
    });
    expect(result).toEqual({ queue: 'graph-notifications', moved: 0, leftForLater: 0, complete: true, dryRun: false });
    // Hidden until the timeout (the queue service brings it back), and still in the poison queue.
    expect(await admin.peek('graph-notifications-poison')).toEqual([]);
    expect(await admin.approximateCount('graph-notifications-poison')).toBe(1);
    expect(await admin.approximateCount('graph-notifications')).toBe(0);
  });

  it("takes a message as a tenant's only when its body names that tenant", () => {
    const ofTenant = isTenantMessage('t1');
    expect(ofTenant({ version: 1, tenantId: 't1' })).toBe(true);
    expect(ofTenant({ version: 1, tenantId: 'T1' })).toBe(false);
    expect(ofTenant({ version: 1, tenantId: 't2' })).toBe(false);
    expect(ofTenant({ version: 1, mail: { tenantId: 't1' } })).toBe(false);
    expect(ofTenant('{"tenantId":"t1"}')).toBe(false);
    expect(ofTenant(null)).toBe(false);
  });

  it('knows the queues by name, with or without -poison', () => {
    expect(toQueueName('jira-notify')).toBe('jira-notify');
    expect(toQueueName('graph-notifications-poison')).toBe('graph-notifications');
    expect(() => toQueueName('other')).toThrow(/unknown queue/);
  });
});
