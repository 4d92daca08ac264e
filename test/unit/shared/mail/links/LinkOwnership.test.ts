import { LinkOwnership } from '../../../../../shared/mail/links/LinkOwnership';
import { tableNames } from '../../../../../shared/platform/storage/tableNames';
import { newTenant, startFanoutTestStorage, type FanoutTestStorage } from '../fanout/fanoutTestStorage';

describe('LinkOwnership against Azurite', () => {
  let storage: FanoutTestStorage;
  let ownership: LinkOwnership;

  beforeAll(async () => {
    storage = await startFanoutTestStorage();
    ownership = new LinkOwnership({ client: storage.tableClients.get(tableNames.links) });
  });
  afterAll(() => storage?.stop());

  test('a shared mailbox’s link keeps the shared mailbox subscribed, not the member who made it', async () => {
    const tenantId = newTenant();
    await storage.repositories.links.insert({
      tenantId,
      conversationId: 'conv-shared',
      instanceId: 'demo',
      issueKey: 'DEMO-1',
      userId: 'member-1',
      mailboxId: 'shared-1',
      linkedAt: new Date().toISOString(),
    });
    expect(await ownership.ownsAny(tenantId, 'shared-1')).toBe(true);
    expect(await ownership.ownsAny(tenantId, 'member-1')).toBe(false);

    await storage.repositories.links.insert({
      tenantId,
      conversationId: 'conv-own',
      instanceId: 'demo',
      issueKey: 'DEMO-2',
      userId: 'member-1',
      linkedAt: new Date().toISOString(),
    });
    expect(await ownership.ownsAny(tenantId, 'member-1')).toBe(true);
    expect(await ownership.ownsAny(newTenant(), 'shared-1')).toBe(false);
  });
});
