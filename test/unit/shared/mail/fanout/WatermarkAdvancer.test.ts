import { WatermarkAdvancer } from '../../../../../shared/mail/fanout/WatermarkAdvancer';
import type { SubscriptionEntity } from '../../../../../shared/platform/storage/subscriptions/subscriptionEntity';
import { newTenant, startFanoutTestStorage, type FanoutTestStorage } from './fanoutTestStorage';

describe('WatermarkAdvancer against Azurite', () => {
  let storage: FanoutTestStorage;
  beforeAll(async () => {
    storage = await startFanoutTestStorage();
  });
  afterAll(() => storage?.stop());

  async function subscription(watermark?: string): Promise<SubscriptionEntity> {
    const entity: SubscriptionEntity = {
      subscriptionId: `sub-${newTenant()}`,
      tenantId: 'tenant',
      userId: 'user-1',
      resource: 'users/user-1/messages',
      clientStateHash: 'hash',
      expiresAt: '2030-01-03T00:00:00.000Z',
      createdAt: '2030-01-01T00:00:00.000Z',
      ...(watermark ? { watermark } : {}),
    };
    await storage.repositories.subscriptions.insert(entity);
    return entity;
  }

  it('moves the watermark forward, never back, and writes at most once per step', async () => {
    const { subscriptionId } = await subscription('2030-01-01T10:00:00.000Z');
    const advancer = new WatermarkAdvancer({ subscriptions: storage.repositories.subscriptions, stepMs: 60_000 });
    const read = async () => (await storage.repositories.subscriptions.get({ subscriptionId }))?.watermark;

    await advancer.advance(subscriptionId, '2030-01-01T09:00:00Z');
    expect(await read()).toBe('2030-01-01T10:00:00.000Z');
    await advancer.advance(subscriptionId, '2030-01-01T10:05:00Z');
    expect(await read()).toBe('2030-01-01T10:05:00.000Z');
    // Within the step of what this process wrote: no write at all.
    await advancer.advance(subscriptionId, '2030-01-01T10:05:30Z');
    expect(await read()).toBe('2030-01-01T10:05:00.000Z');
    await advancer.advance(subscriptionId, '2030-01-01T10:06:01Z');
    expect(await read()).toBe('2030-01-01T10:06:01.000Z');
  });

  it('does nothing for a subscription that is gone or a time that is not one', async () => {
    const advancer = new WatermarkAdvancer({ subscriptions: storage.repositories.subscriptions });
    await expect(advancer.advance('sub-unknown', '2030-01-01T10:00:00Z')).resolves.toBeUndefined();
    const { subscriptionId } = await subscription();
    await advancer.advance(subscriptionId, 'yesterday');
    expect((await storage.repositories.subscriptions.get({ subscriptionId }))?.watermark).toBeUndefined();
  });
});
