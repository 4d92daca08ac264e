import {
  fromTableEntity,
  toTableEntity,
  type SubscriptionEntity,
} from '../../../../../../shared/platform/storage/subscriptions/subscriptionEntity';
import { asReadBack, expectRowInvalid, hasForbiddenKeyCharacter } from '../rowAssertions';

const subscription: SubscriptionEntity = {
  subscriptionId: 'AAMkAGI2/THVlAAA+ZmE=',
  tenantId: 'tenant-1',
  userId: 'user-1',
  resource: "users('user-1')/messages",
  clientStateHash: 'aGFzaA',
  expiresAt: '2024-05-04T10:00:00.000Z',
  createdAt: '2024-05-01T10:00:00.000Z',
};

describe('subscription converters', () => {
  it('round-trip, keyed by the encoded subscription id with an empty RowKey', () => {
    const row = toTableEntity(subscription);
    expect(hasForbiddenKeyCharacter(row.partitionKey)).toBe(false);
    expect(row.rowKey).toBe('');
    expect(row.expiresAt).toEqual(new Date(subscription.expiresAt));
    expect(fromTableEntity(asReadBack(row))).toEqual(subscription);
  });

  it('round-trip the optional watermark, low-water mark, renewal and state', () => {
    const full: SubscriptionEntity = {
      ...subscription,
      watermark: '2024-05-02T08:00:00.123Z',
      completeUntil: '2024-05-01T12:00:00.000Z',
      renewedAt: '2024-05-02T09:00:00.000Z',
      state: 'active',
    };
    expect(fromTableEntity(asReadBack(toTableEntity(full)))).toEqual(full);
  });

  it('read a time stored as ISO text as well as Edm.DateTime', () => {
    expect(fromTableEntity(asReadBack({ ...toTableEntity(subscription), expiresAt: '2024-05-04T10:00:00Z' })).expiresAt).toBe(
      '2024-05-04T10:00:00.000Z',
    );
  });

  it('reject a corrupt row', () => {
    const row = asReadBack(toTableEntity(subscription));
    expectRowInvalid(() => fromTableEntity({ ...row, expiresAt: new Date('invalid') }), 'expiresAt');
    expectRowInvalid(() => fromTableEntity({ ...row, clientStateHash: undefined }), 'clientStateHash');
  });
});
