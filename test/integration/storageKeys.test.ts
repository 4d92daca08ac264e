import fc from 'fast-check';
import { startAzurite, type RunningAzurite } from '../../dev/azurite';
import { createRepositories } from '../../shared/platform/storage/createRepositories';
import { ensureStorage } from '../../shared/platform/storage/ensureStorage';
import type { LinkEntity } from '../../shared/platform/storage/links/linkEntity';
import { QueueClientFactory } from '../../shared/platform/storage/QueueClientFactory';
import type { Repositories } from '../../shared/platform/storage/Repositories';
import { TableClientFactory } from '../../shared/platform/storage/TableClientFactory';
import { compositeKey, encodeKeyPart } from '../../shared/platform/storage/tableKey';

/** Full Unicode, biased towards what Table keys forbid and what Graph ids contain. */
const nasty = fc.constantFrom('/', '\\', '#', '?', '+', '=', '\u0000', '\u001f', '\u007f', '\u0085', '.', '~', '%', "'", ' ', '€', '😀');
const id = (minLength: number) =>
  fc.oneof(
    fc.string({ unit: 'binary', minLength, maxLength: 40 }),
    fc.string({ unit: fc.oneof(nasty, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), minLength, maxLength: 40 }),
  );

describe('table keys against Azurite', () => {
  let azurite: RunningAzurite;
  let tables: TableClientFactory;
  let repositories: Repositories;

  beforeAll(async () => {
    azurite = await startAzurite();
    const target = { kind: 'connectionString' as const, connectionString: azurite.connectionString };
    tables = new TableClientFactory({ target });
    await ensureStorage({ tableClients: tables, queueClients: new QueueClientFactory({ target }) });
    repositories = createRepositories(tables);
  });
  afterAll(() => azurite.stop());

  it('stores a row under keys made from any ids and reads it back by those keys', async () => {
    await fc.assert(
      fc.asyncProperty(id(1), id(1), id(1), id(1), async (tenantId, conversationId, instanceId, issueKey) => {
        const link: LinkEntity = { tenantId, conversationId, instanceId, issueKey, userId: 'user-1', linkedAt: '2024-05-01T10:00:00.000Z' };
        await repositories.links.upsert(link);
        expect(await repositories.links.get({ tenantId, conversationId, instanceId, issueKey })).toEqual(link);
        const inConversation: LinkEntity[] = [];
        for await (const row of repositories.links.listByConversation(tenantId, conversationId)) inConversation.push(row);
        expect(inConversation).toContainEqual(link);
      }),
      { numRuns: 50 },
    );
  });

  it('addresses a raw row by an encoded PartitionKey and RowKey, including the empty id', async () => {
    const raw = tables.get('licenses');
    await fc.assert(
      fc.asyncProperty(id(0), id(0), async (a, b) => {
        const partitionKey = encodeKeyPart(a);
        const rowKey = compositeKey(a, b);
        await raw.upsertEntity({ partitionKey, rowKey, a, b });
        const row = await raw.getEntity<{ a: string; b: string }>(partitionKey, rowKey);
        expect([row.a, row.b]).toEqual([a, b]);
      }),
      { numRuns: 50 },
    );
  });
});
