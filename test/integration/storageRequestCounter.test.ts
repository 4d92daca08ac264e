import { startAzurite, type RunningAzurite } from '../../dev/azurite';
import { createStorageServices, type StorageServices } from '../../shared/platform/storage/createStorageServices';
import { ensureStorage } from '../../shared/platform/storage/ensureStorage';
import { queueNames } from '../../shared/platform/storage/queueNames';
import { countsAdded } from '../support/countsAdded';

/** What happened between two snapshots, without the keys that did not move. */
describe('storage requests counted by the clients (Azurite)', () => {
  let azurite: RunningAzurite;
  let storage: StorageServices;

  beforeAll(async () => {
    azurite = await startAzurite();
    storage = createStorageServices({ kind: 'connectionString', connectionString: azurite.connectionString });
    await ensureStorage(storage);
  }, 120_000);
  afterAll(() => azurite.stop());

  it('counts a queue put, a receive and a delete by queue and operation', async () => {
    const before = storage.storageRequests.snapshot();
    await storage.queues.send(queueNames.jiraNotify, { counted: true });
    const client = storage.queueClients.get(queueNames.jiraNotify);
    const { receivedMessageItems } = await client.receiveMessages({ numberOfMessages: 1 });
    expect(receivedMessageItems).toHaveLength(1);
    await client.deleteMessage(receivedMessageItems[0]!.messageId, receivedMessageItems[0]!.popReceipt);
    expect(countsAdded(before, storage.storageRequests.snapshot())).toEqual({
      [`POST ${queueNames.jiraNotify}/messages`]: 1,
      [`GET ${queueNames.jiraNotify}/messages`]: 1,
      [`DELETE ${queueNames.jiraNotify}/messages/{id}`]: 1,
    });
  });

  it('counts table requests by table, and one per request however many entities it carries', async () => {
    const table = storage.tableClients.get('instances');
    const before = storage.storageRequests.snapshot();
    await table.upsertEntity({ partitionKey: 'counted', rowKey: 'a', value: 1 });
    await table.submitTransaction([
      ['upsert', { partitionKey: 'counted', rowKey: 'b', value: 2 }],
      ['upsert', { partitionKey: 'counted', rowKey: 'c', value: 3 }],
    ]);
    const rows = [];
    for await (const row of table.listEntities({ queryOptions: { filter: "PartitionKey eq 'counted'" } })) rows.push(row);
    expect(rows).toHaveLength(3);
    expect(countsAdded(before, storage.storageRequests.snapshot())).toEqual({
      'PATCH instances': 1,
      'POST instances/$batch': 1,
      'GET instances': 1,
    });
  });
});
