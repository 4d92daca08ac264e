import { fromTableEntity, toTableEntity, type LicenseEntity } from '../../../../../../shared/platform/storage/licenses/licenseEntity';
import { asReadBack, expectRowInvalid } from '../rowAssertions';

const license: LicenseEntity = {
  tenantId: 'tenant-1',
  instanceId: 'demo',
  decisionJson: JSON.stringify({ licensed: true, reason: 'valid' }),
  checkedAt: '2024-05-01T10:00:00.000Z',
  lastGoodAt: '2024-05-01T10:00:00.000Z',
};

describe('license converters', () => {
  it('round-trip, keyed by tenant and instance', () => {
    const row = toTableEntity(license);
    expect([row.partitionKey, row.rowKey]).toEqual(['tenant-1', 'demo']);
    expect(fromTableEntity(asReadBack(row))).toEqual(license);
    const { lastGoodAt: _last, ...neverGood } = license;
    expect(fromTableEntity(asReadBack(toTableEntity(neverGood)))).toEqual(neverGood);
  });

  it('reject a corrupt row', () => {
    expectRowInvalid(() => fromTableEntity({ ...asReadBack(toTableEntity(license)), decisionJson: '' }), 'decisionJson');
  });
});
