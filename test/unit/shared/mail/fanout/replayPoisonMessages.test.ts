import { QueueAdmin } from '../../../../../shared/platform/storage/QueueAdmin';
import { replayPoisonMessages, toQueueName } from '../../../../../shared/mail/fanout/replayPoisonMessages';
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
    expect(result).toEqual({ queue: 'jira-notify', moved: texts.length, leftForLater: 0 });
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
    expect(result).toEqual({ queue: 'graph-notifications', moved: 0, leftForLater: 1 });
  });

  it('knows the queues by name, with or without -poison', () => {
    expect(toQueueName('jira-notify')).toBe('jira-notify');
    expect(toQueueName('graph-notifications-poison')).toBe('graph-notifications');
    expect(() => toQueueName('other')).toThrow(/unknown queue/);
  });
});
