import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  generateAccountSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-queue';
import { azuriteConnectionString, DEV_ACCOUNT, DEV_KEY, startAzurite, type RunningAzurite } from '../../dev/azurite';
import { isAppError } from '../../shared/platform/errors/AppError';
import { createStorageServices, type StorageServices } from '../../shared/platform/storage/createStorageServices';
import { ensureStorage } from '../../shared/platform/storage/ensureStorage';
import { deleteQueueMessage } from '../../shared/platform/storage/queue/deleteQueueMessage';
import { sendQueueMessage } from '../../shared/platform/storage/queue/sendQueueMessage';
import { QueueClientFactory, type StorageQueueClient } from '../../shared/platform/storage/QueueClientFactory';
import { queueNames } from '../../shared/platform/storage/queueNames';
import { ThrottlingStorageFront } from '../support/ThrottlingStorageFront';
import { countsAdded } from '../support/countsAdded';
import { rejection } from '../support/rejection';

/**
 * The queue puts and deletes the app sends itself (not through the SDK's operations), against
 * the real Storage emulator: what they put is what the SDK receives, they fail as the SDK's
 * calls fail, and they go through the client's pipeline (signed, counted, retried).
 */

/** Every visible message of the queue, taken off it. */
async function drain(client: StorageQueueClient): Promise<string[]> {
  const texts: string[] = [];
  for (;;) {
    const { receivedMessageItems } = await client.receiveMessages({ numberOfMessages: 32 });
    if (receivedMessageItems.length === 0) return texts;
    for (const item of receivedMessageItems) {
      texts.push(item.messageText);
      await client.deleteMessage(item.messageId, item.popReceipt);
    }
  }
}

describe('queue puts and deletes of our own, against Azurite', () => {
  let azurite: RunningAzurite;
  let storage: StorageServices;
  let queue: StorageQueueClient;

  beforeAll(async () => {
    azurite = await startAzurite();
    storage = createStorageServices({ kind: 'connectionString', connectionString: azurite.connectionString });
    await ensureStorage(storage);
    queue = storage.queueClients.get(queueNames.jiraNotify);
  });
  afterAll(() => azurite.stop());
  afterEach(() => drain(queue));

  it('puts the text the SDK then receives, characters XML would take for markup included', async () => {
    const text = 'a < b && c > d; ünïcødé 😀 eyJ2ZXJzaW9uIjoyfQ==';
    await sendQueueMessage(queue, text);
    expect(await drain(queue)).toEqual([text]);
  });

  it('keeps a put message hidden for its visibility timeout and gives it its time to live', async () => {
    await sendQueueMessage(queue, 'later', { visibilityTimeoutSeconds: 3600, timeToLiveSeconds: 7200 });
    expect((await queue.receiveMessages()).receivedMessageItems).toEqual([]);
    expect((await queue.getProperties()).approximateMessagesCount).toBe(1);

    await sendQueueMessage(queue, 'soon', { timeToLiveSeconds: 7200 });
    const [received] = (await queue.receiveMessages()).receivedMessageItems;
    expect(received?.messageText).toBe('soon');
    expect((received!.expiresOn.getTime() - received!.insertedOn.getTime()) / 1000).toBeCloseTo(7200, -1);
    await queue.deleteMessage(received!.messageId, received!.popReceipt);
    await queue.clearMessages();
  });

  it('deletes a received message, and a second delete of it fails as a 404 the caller can read', async () => {
    await sendQueueMessage(queue, 'once');
    const [received] = (await queue.receiveMessages({ visibilityTimeout: 60 })).receivedMessageItems;
    await deleteQueueMessage(queue, received!.messageId, received!.popReceipt);
    expect((await queue.getProperties()).approximateMessagesCount).toBe(0);

    const again = await rejection(deleteQueueMessage(queue, received!.messageId, received!.popReceipt));
    expect(again).toMatchObject({ name: 'RestError', statusCode: 404, code: 'MessageNotFound' });
  });

  it('fails a put to a missing queue as QueueNotFound, which the sender reports as a request we got wrong', async () => {
    const missing = storage.queueClients.get('no-such-queue');
    const error = await rejection(sendQueueMessage(missing, 'lost'));
    expect(error).toMatchObject({ statusCode: 404, code: 'QueueNotFound', details: { errorCode: 'QueueNotFound' } });
    const sent = await rejection(storage.queues.send('no-such-queue' as typeof queueNames.jiraNotify, { lost: true }));
    expect(isAppError(sent) && sent.code).toBe('storage_request_failed');
  });

  it('is authorized by a SAS connection string, whose query stays before its own parameters', async () => {
    const sas = generateAccountSASQueryParameters(
      {
        expiresOn: new Date(Date.now() + 3_600_000),
        permissions: AccountSASPermissions.parse('rwdlacup'),
        resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
        services: AccountSASServices.parse('q').toString(),
      },
      new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY),
    ).toString();
    const sasQueues = new QueueClientFactory({
      target: {
        kind: 'connectionString',
        connectionString: `QueueEndpoint=http://127.0.0.1:${azurite.queuePort}/${DEV_ACCOUNT};SharedAccessSignature=${sas}`,
      },
    });
    const sasQueue = sasQueues.get(queueNames.jiraNotify);
    await sendQueueMessage(sasQueue, 'by sas', { visibilityTimeoutSeconds: 0 });
    const [received] = (await sasQueue.receiveMessages()).receivedMessageItems;
    expect(received?.messageText).toBe('by sas');
    await deleteQueueMessage(sasQueue, received!.messageId, received!.popReceipt);
    expect((await queue.getProperties()).approximateMessagesCount).toBe(0);
  });

  describe('behind a throttling front', () => {
    let front: ThrottlingStorageFront;
    let throttled: StorageServices;
    let throttledQueue: StorageQueueClient;

    beforeAll(async () => {
      front = await ThrottlingStorageFront.start(azurite.queuePort, 'queue');
      const connectionString = azuriteConnectionString('127.0.0.1', {
        blobPort: azurite.blobPort,
        queuePort: front.port,
        tablePort: azurite.tablePort,
      });
      throttled = createStorageServices({ kind: 'connectionString', connectionString });
      throttledQueue = throttled.queueClients.get(queueNames.jiraNotify);
    });
    afterAll(() => front.stop());

    it("retries a put and a delete with the client's own retry policy and counts each attempt", async () => {
      front.throttled = 1;
      let before = throttled.storageRequests.snapshot();
      await sendQueueMessage(throttledQueue, 'busy');
      expect(countsAdded(before, throttled.storageRequests.snapshot())).toEqual({ 'POST jira-notify/messages': 2 });

      const [received] = (await queue.receiveMessages({ visibilityTimeout: 60 })).receivedMessageItems;
      expect(received?.messageText).toBe('busy');
      front.throttled = 1;
      before = throttled.storageRequests.snapshot();
      await deleteQueueMessage(throttledQueue, received!.messageId, received!.popReceipt);
      expect(countsAdded(before, throttled.storageRequests.snapshot())).toEqual({ 'DELETE jira-notify/messages/{id}': 2 });
      expect((await queue.getProperties()).approximateMessagesCount).toBe(0);
    }, 60_000);

    it("reads each put's answer to its end unparsed, so one kept-alive connection carries a run of puts", async () => {
      const before = front.connections;
      for (let index = 0; index < 10; index += 1) await sendQueueMessage(throttledQueue, `run ${index}`);
      expect(front.connections - before).toBeLessThanOrEqual(1);
      expect((await drain(queue)).sort()).toEqual(Array.from({ length: 10 }, (_, index) => `run ${index}`).sort());
    });

    it('gives up as storage_unavailable through the sender when the service stays busy', async () => {
      front.throttled = 100;
      const error = await rejection(throttled.queues.send(queueNames.jiraNotify, { busy: true }));
      front.throttled = 0;
      expect(isAppError(error) && error.code).toBe('storage_unavailable');
      expect((await queue.getProperties()).approximateMessagesCount).toBe(0);
    }, 60_000);
  });
});
