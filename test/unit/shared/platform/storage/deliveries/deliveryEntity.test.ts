import { fromTableEntity, toTableEntity, type DeliveryEntity } from '../../../../../../shared/platform/storage/deliveries/deliveryEntity';
import { hashKey } from '../../../../../../shared/platform/storage/tableKey';
import { asReadBack, expectRowInvalid } from '../rowAssertions';

const delivery: DeliveryEntity = {
  tenantId: 'tenant-1',
  internetMessageId: '<CAF=abc/def@mail.example.com>',
  instanceId: 'demo',
  issueKey: 'DEMO-2',
  status: 'pending',
  attempts: 0,
  createdAt: '2024-05-01T10:00:00.000Z',
  updatedAt: '2024-05-01T10:00:00.000Z',
  leaseUntil: '2024-05-01T10:05:00.000Z',
};

describe('delivery converters', () => {
  it('round-trip, partitioned by tenant and the hash of the message id', () => {
    const row = toTableEntity(delivery);
    expect(row.partitionKey).toBe(`tenant-1.${hashKey(delivery.internetMessageId)}`);
    expect(row.rowKey).toBe('demo.DEMO-2');
    expect(fromTableEntity(asReadBack(row))).toEqual(delivery);
  });

  it('round-trip a failed delivery with its last status and reason', () => {
    const failed: DeliveryEntity = { ...delivery, status: 'failed', attempts: 5, lastStatus: 403, reason: 'jira_forbidden' };
    delete failed.leaseUntil;
    expect(fromTableEntity(asReadBack(toTableEntity(failed)))).toEqual(failed);
  });

  it('reject a corrupt row', () => {
    const row = asReadBack(toTableEntity(delivery));
    expectRowInvalid(() => fromTableEntity({ ...row, status: 'maybe' }), 'status');
    expectRowInvalid(() => fromTableEntity({ ...row, attempts: -1 }), 'attempts');
    expectRowInvalid(() => fromTableEntity({ ...row, attempts: 1.5 }), 'attempts');
  });
});
