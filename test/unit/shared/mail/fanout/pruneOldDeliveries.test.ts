import { pruneOldDeliveries } from '../../../../../shared/mail/fanout/pruneOldDeliveries';
import type { DeliveryEntity } from '../../../../../shared/platform/storage/deliveries/deliveryEntity';
import { ManualClock, newTenant, startFanoutTestStorage, type FanoutTestStorage } from './fanoutTestStorage';

describe('pruneOldDeliveries against Azurite', () => {
  let storage: FanoutTestStorage;
  beforeAll(async () => {
    storage = await startFanoutTestStorage();
  });
  afterAll(() => storage?.stop());

  it('deletes the records older than the retention and keeps the rest', async () => {
    const clock = new ManualClock(Date.parse('2030-03-01T00:00:00Z'));
    const tenantId = newTenant();
    const row = (issueKey: string, updatedAt: string): DeliveryEntity => ({
      tenantId,
      internetMessageId: `<${issueKey}@example.test>`,
      instanceId: 'demo',
      issueKey,
      status: 'sent',
      attempts: 1,
      createdAt: updatedAt,
      updatedAt,
    });
    const old = Array.from({ length: 25 }, (_, i) => row(`OLD-${i}`, '2030-01-01T00:00:00.000Z'));
    const recent = [row('NEW-1', '2030-02-20T00:00:00.000Z'), row('NEW-2', '2030-02-28T23:00:00.000Z')];
    for (const entity of [...old, ...recent]) await storage.repositories.deliveries.insert(entity);

    const result = await pruneOldDeliveries({
      repository: storage.repositories.deliveries,
      clock,
      retentionSeconds: 30 * 86400,
      concurrency: 4,
    });
    expect(result).toEqual({ deleted: 25, incomplete: false });
    const { items } = await storage.repositories.deliveries.listByTenantPage(tenantId);
    expect(items.map((entity) => entity.issueKey).sort()).toEqual(['NEW-1', 'NEW-2']);
  });
});
