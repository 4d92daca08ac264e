import { TableServiceClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import { startAzurite, type RunningAzurite } from '../../dev/azurite';
import type { AppError } from '../../shared/platform/errors/AppError';
import { ensureStorage } from '../../shared/platform/storage/ensureStorage';
import { QueueAdmin } from '../../shared/platform/storage/QueueAdmin';
import { QueueClientFactory } from '../../shared/platform/storage/QueueClientFactory';
import { queueNames } from '../../shared/platform/storage/queueNames';
import { QueueSender } from '../../shared/platform/storage/QueueSender';
import { TableClientFactory } from '../../shared/platform/storage/TableClientFactory';
import { allTableNames } from '../../shared/platform/storage/tableNames';

describe('queues against Azurite', () => {
  let azurite: RunningAzurite;
  let queues: QueueClientFactory;
  let sender: QueueSender;
  let admin: QueueAdmin;

  beforeAll(async () => {
    azurite = await startAzurite();
    const target = { kind: 'connectionString' as const, connectionString: azurite.connectionString };
    queues = new QueueClientFactory({ target });
    await ensureStorage({ tableClients: new TableClientFactory({ target }), queueClients: queues });
    sender = new QueueSender({ queues });
    admin = new QueueAdmin({ queues });
  });
  afterAll(() => azurite.stop());

  /** Takes every visible message of a queue, raw, so each test starts from an empty queue. */
  const drain = async (queueName: string) => {
    const client = queues.get(queueName);
    const all: string[] = [];
    for (;;) {
      const { receivedMessageItems } = await client.receiveMessages({ numberOfMessages: 32 });
      if (receivedMessageItems.length === 0) return all;
      for (const item of receivedMessageItems) {
        all.push(item.messageText);
        await client.deleteMessage(item.messageId, item.popReceipt);
      }
    }
  };

  it('sends base64 of the JSON, as the queue trigger expects', async () => {
    const message = { subscriptionId: 'sub/1+=', changeType: 'created', resource: "Users('u')/Messages('m')", text: 'ünïcødé 😀' };
    await sender.send(queueNames.graphNotifications, message);
    const { receivedMessageItems } = await queues.get(queueNames.graphNotifications).receiveMessages();
    expect(receivedMessageItems).toHaveLength(1);
    const raw = receivedMessageItems[0]!.messageText;
    expect(raw).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(JSON.parse(Buffer.from(raw, 'base64').toString('utf8'))).toEqual(message);
    await queues.get(queueNames.graphNotifications).deleteMessage(receivedMessageItems[0]!.messageId, receivedMessageItems[0]!.popReceipt);
  });

  it('hides a message sent with a visibility delay', async () => {
    await sender.send(queueNames.jiraNotify, { delayed: true }, { visibilityTimeoutSeconds: 3600, timeToLiveSeconds: 7200 });
    expect(await drain(queueNames.jiraNotify)).toEqual([]);
    expect(await admin.approximateCount(queueNames.jiraNotify)).toBe(1);
  });

  it('sends many messages in parallel, every one of them', async () => {
    const messages = Array.from({ length: 40 }, (_, index) => ({ index }));
    await sender.sendMany(queueNames.graphLifecycle, messages);
    const received = (await drain(queueNames.graphLifecycle)).map(
      (text) => JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as { index: number },
    );
    expect(received.map((m) => m.index).sort((a, b) => a - b)).toEqual(messages.map((m) => m.index));
  });

  it('fails the batch before sending any message when one cannot be encoded', async () => {
    await expect(sender.sendMany(queueNames.graphLifecycle, [{ ok: 1 }, undefined])).rejects.toMatchObject({ code: 'internal' });
    expect(await drain(queueNames.graphLifecycle)).toEqual([]);
  });

  it('peeks, receives, releases, copies and deletes raw messages for the poison tools', async () => {
    const poison = `${queueNames.jiraNotify}-poison`;
    await sender.send(queueNames.jiraNotify, { issueKey: 'DEMO-1' });
    const [received] = await admin.receive(queueNames.jiraNotify, { visibilityTimeoutSeconds: 60 });
    expect(received).toMatchObject({ body: { issueKey: 'DEMO-1' }, dequeueCount: 1 });

    // What the local host does after the last failed attempt: move the text verbatim to poison.
    await admin.sendText(poison, received!.messageText);
    await admin.delete(queueNames.jiraNotify, received!);
    await admin.delete(queueNames.jiraNotify, received!);

    const peeked = await admin.peek(poison);
    expect(peeked).toHaveLength(1);
    expect(peeked[0]).toMatchObject({ messageText: received!.messageText, body: { issueKey: 'DEMO-1' } });

    const [again] = await admin.receive(poison, { visibilityTimeoutSeconds: 60 });
    await admin.release(poison, again!);
    expect(await admin.peek(poison)).toHaveLength(1);
    expect(await drain(poison)).toEqual([received!.messageText]);
  });

  it('reports a missing queue as a failed request, not as storage down', async () => {
    const error = (await admin.peek('no-such-queue').catch((caught: unknown) => caught)) as AppError;
    expect(error.code).toBe('storage_request_failed');
  });
});

describe('ensureStorage', () => {
  let azurite: RunningAzurite;
  beforeAll(async () => (azurite = await startAzurite()));
  afterAll(() => azurite.stop());

  it('creates every table and every queue with its poison queue, and can run again', async () => {
    const target = { kind: 'connectionString' as const, connectionString: azurite.connectionString };
    const storage = { tableClients: new TableClientFactory({ target }), queueClients: new QueueClientFactory({ target }) };
    await Promise.all([ensureStorage(storage), ensureStorage(storage)]);
    await ensureStorage(storage);

    const tableNames: string[] = [];
    const tableService = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true });
    for await (const table of tableService.listTables()) tableNames.push(table.name ?? '');
    expect(tableNames.sort()).toEqual([...allTableNames].sort());
    expect(tableNames).toEqual(
      expect.arrayContaining(['deliveries', 'instances', 'jiraTokens', 'licenses', 'links', 'mailboxes', 'subscriptions']),
    );

    const queueNamesFound: string[] = [];
    for await (const queue of QueueServiceClient.fromConnectionString(azurite.connectionString).listQueues())
      queueNamesFound.push(queue.name);
    expect(queueNamesFound.sort()).toEqual([
      'graph-lifecycle',
      'graph-lifecycle-poison',
      'graph-notifications',
      'graph-notifications-poison',
      'jira-notify',
      'jira-notify-poison',
    ]);
  });
});
