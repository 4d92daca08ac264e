import { AzureNamedKeyCredential, generateAccountSas, TableClient } from '@azure/data-tables';
import { azuriteConnectionString, DEV_ACCOUNT, DEV_KEY, startAzurite, type RunningAzurite } from '../../dev/azurite';
import { isAppError } from '../../shared/platform/errors/AppError';
import { submitTableBatch } from '../../shared/platform/storage/batch/submitTableBatch';
import { createStorageServices, type StorageServices } from '../../shared/platform/storage/createStorageServices';
import { ensureStorage } from '../../shared/platform/storage/ensureStorage';
import type { MailTrailEntity } from '../../shared/platform/storage/trails/mailTrailEntity';
import { ThrottlingStorageFront } from '../support/ThrottlingStorageFront';
import { countsAdded } from '../support/countsAdded';
import { rejection } from '../support/rejection';

/**
 * The lean entity group transaction against the real Storage emulator: what it writes is
 * what the SDK reads back, a failed change set writes nothing and names the failing
 * operation, and it goes through the client's pipeline (counted, retried).
 */

async function rowsOf(table: TableClient, partitionKey: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const row of table.listEntities({ queryOptions: { filter: `PartitionKey eq '${partitionKey}'` } })) rows.push(row);
  return rows;
}

function trailOf(tenantId: string, messageId: string): MailTrailEntity {
  return {
    tenantId,
    userId: 'user-1',
    messageId,
    subscriptionId: 'sub-1',
    receivedAt: '2026-12-03T10:00:00.000Z',
    outcome: 'dropped',
    reason: 'notLinked',
    issues: [],
    updatedAt: '2026-12-03T10:00:01.000Z',
  };
}

describe('submitTableBatch against Azurite', () => {
  let azurite: RunningAzurite;
  let storage: StorageServices;
  let table: TableClient;

  beforeAll(async () => {
    azurite = await startAzurite();
    storage = createStorageServices({ kind: 'connectionString', connectionString: azurite.connectionString });
    await ensureStorage(storage);
    table = storage.tableClients.get('batchtest');
    await table.createTable();
  }, 120_000);
  afterAll(() => azurite.stop());

  it('writes every row in one counted request, read back by the SDK with their types', async () => {
    const at = new Date('2026-12-03T10:00:00.123Z');
    const before = storage.storageRequests.snapshot();
    await submitTableBatch(table, [
      { kind: 'insert', row: { partitionKey: "o'p", rowKey: 'a', state: 'pending', attempts: 2, ratio: 0.5, done: false, at } },
      { kind: 'insert', row: { partitionKey: "o'p", rowKey: 'b c', state: 'pending', attempts: 1, ratio: 1.5, done: true, at } },
      { kind: 'upsert', row: { partitionKey: "o'p", rowKey: "it's", state: 'sent', attempts: 0, ratio: 2.5, done: true, at } },
    ]);
    expect(countsAdded(before, storage.storageRequests.snapshot())).toEqual({ 'POST batchtest/$batch': 1 });
    const row = await table.getEntity<Record<string, unknown>>("o'p", 'a');
    expect(row).toMatchObject({ state: 'pending', attempts: 2, ratio: 0.5, done: false, at });
    expect(row.at).toBeInstanceOf(Date);
    expect((await table.getEntity("o'p", "it's")).state).toBe('sent');
    expect((await rowsOf(table, "o''p")).map((r) => r.rowKey).sort()).toEqual(['a', 'b c', "it's"]);
  });

  it('replaces existing rows with upserts, every property', async () => {
    await submitTableBatch(table, [
      { kind: 'upsert', row: { partitionKey: 'up', rowKey: '1', state: 'pending', extra: 'x' } },
      { kind: 'upsert', row: { partitionKey: 'up', rowKey: '2', state: 'pending' } },
    ]);
    await submitTableBatch(table, [
      { kind: 'upsert', row: { partitionKey: 'up', rowKey: '1', state: 'sent' } },
      { kind: 'upsert', row: { partitionKey: 'up', rowKey: '2', state: 'failed' } },
    ]);
    const rows = await rowsOf(table, 'up');
    expect(rows.map((r) => [r.rowKey, r.state, r.extra])).toEqual([
      ['1', 'sent', undefined],
      ['2', 'failed', undefined],
    ]);
  });

  it('writes nothing when one insert finds its row, and names that operation: 409 EntityAlreadyExists at index 1', async () => {
    await table.createEntity({ partitionKey: 'dup', rowKey: 'b', state: 'done' });
    const error = await rejection(
      submitTableBatch(table, [
        { kind: 'insert', row: { partitionKey: 'dup', rowKey: 'a', state: 'pending' } },
        { kind: 'insert', row: { partitionKey: 'dup', rowKey: 'b', state: 'pending' } },
        { kind: 'insert', row: { partitionKey: 'dup', rowKey: 'c', state: 'pending' } },
      ]),
    );
    expect(error).toMatchObject({ statusCode: 409, details: { errorCode: 'EntityAlreadyExists', failedIndex: 1 } });
    expect((await rowsOf(table, 'dup')).map((r) => [r.rowKey, r.state])).toEqual([['b', 'done']]);
  });

  it('writes nothing when an update meets a row changed since it was read: 412 with the failing index', async () => {
    await table.createEntity({ partitionKey: 'etag', rowKey: 'a', state: 'pending' });
    const read = await table.getEntity('etag', 'a');
    await table.updateEntity({ partitionKey: 'etag', rowKey: 'a', state: 'taken' }, 'Replace');
    const error = await rejection(
      submitTableBatch(table, [
        { kind: 'upsert', row: { partitionKey: 'etag', rowKey: 'z', state: 'new' } },
        { kind: 'update', row: { partitionKey: 'etag', rowKey: 'a', state: 'mine' }, etag: read.etag },
      ]),
    );
    expect(error).toMatchObject({ statusCode: 412, details: { errorCode: 'UpdateConditionNotSatisfied', failedIndex: 1 } });
    expect((await rowsOf(table, 'etag')).map((r) => [r.rowKey, r.state])).toEqual([['a', 'taken']]);

    const current = await table.getEntity('etag', 'a');
    await submitTableBatch(table, [{ kind: 'update', row: { partitionKey: 'etag', rowKey: 'a', state: 'mine' }, etag: current.etag }]);
    expect((await table.getEntity('etag', 'a')).state).toBe('mine');
  });

  it('answers 404 for an update of a row that is not there, writing nothing', async () => {
    const error = await rejection(
      submitTableBatch(table, [
        { kind: 'insert', row: { partitionKey: 'gone', rowKey: 'a', state: 'pending' } },
        { kind: 'update', row: { partitionKey: 'gone', rowKey: 'b', state: 'sent' }, etag: '*' },
      ]),
    );
    expect(error).toMatchObject({ statusCode: 404, details: { errorCode: 'ResourceNotFound', failedIndex: 1 } });
    expect(await rowsOf(table, 'gone')).toEqual([]);
  });

  it('is authorized by a SAS in the client URL (a SAS connection string), kept after $batch', async () => {
    const sas = generateAccountSas(new AzureNamedKeyCredential(DEV_ACCOUNT, DEV_KEY), {
      expiresOn: new Date(Date.now() + 3_600_000),
      permissions: { add: true, update: true, write: true, query: true },
      resourceTypes: 'sco',
    });
    const sasTable = new TableClient(`http://127.0.0.1:${azurite.tablePort}/${DEV_ACCOUNT}?${sas}`, 'batchtest', {
      allowInsecureConnection: true,
    });
    await submitTableBatch(sasTable, [
      { kind: 'insert', row: { partitionKey: 'sas', rowKey: 'a', n: 1 } },
      { kind: 'insert', row: { partitionKey: 'sas', rowKey: 'b', n: 2 } },
    ]);
    expect((await rowsOf(table, 'sas')).map((r) => [r.rowKey, r.n])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  describe('behind a throttling front', () => {
    let front: ThrottlingStorageFront;
    let throttledStorage: StorageServices;
    let throttledTable: TableClient;

    beforeAll(async () => {
      front = await ThrottlingStorageFront.start(azurite.tablePort, 'table');
      const connectionString = azuriteConnectionString('127.0.0.1', {
        blobPort: azurite.blobPort,
        queuePort: azurite.queuePort,
        tablePort: front.port,
      });
      throttledStorage = createStorageServices({ kind: 'connectionString', connectionString });
      throttledTable = throttledStorage.tableClients.get('batchtest');
    });
    afterAll(() => front.stop());

    it("is retried by the client's own retry policy and each attempt is counted", async () => {
      front.throttled = 1;
      const before = throttledStorage.storageRequests.snapshot();
      await submitTableBatch(throttledTable, [
        { kind: 'insert', row: { partitionKey: 'busy', rowKey: 'a', n: 1 } },
        { kind: 'insert', row: { partitionKey: 'busy', rowKey: 'b', n: 2 } },
      ]);
      expect(countsAdded(before, throttledStorage.storageRequests.snapshot())).toEqual({ 'POST batchtest/$batch': 2 });
      expect((await rowsOf(table, 'busy')).map((r) => r.rowKey)).toEqual(['a', 'b']);
    }, 60_000);

    it('gives up as storage_unavailable through the repository when the service stays busy, having written nothing', async () => {
      front.throttled = 100;
      const error = await rejection(throttledStorage.repositories.trails.upsertAll([trailOf('t1', 'm1'), trailOf('t1', 'm2')]));
      front.throttled = 0;
      expect(isAppError(error) && error.code).toBe('storage_unavailable');
      const written = [];
      for await (const trail of storage.repositories.trails.listPartition({ tenantId: 't1' })) written.push(trail);
      expect(written).toEqual([]);
    }, 60_000);
  });
});
