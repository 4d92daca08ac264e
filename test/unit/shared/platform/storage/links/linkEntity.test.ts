import { fromTableEntity, toTableEntity, type LinkEntity } from '../../../../../../shared/platform/storage/links/linkEntity';
import { hashKey } from '../../../../../../shared/platform/storage/tableKey';
import { asReadBack, expectRowInvalid } from '../rowAssertions';

const link: LinkEntity = {
  tenantId: 'tenant-1',
  conversationId: 'AAQkAGI2TG93AAA/xyz+abc=',
  instanceId: 'demo',
  issueKey: 'DEMO-1',
  userId: 'user-1',
  linkedAt: '2024-05-01T10:00:00.000Z',
};

describe('link converters', () => {
  it('round-trip, partitioned by tenant and the hash of the conversation (never the raw id)', () => {
    const row = toTableEntity(link);
    expect(row.partitionKey).toBe(`tenant-1.${hashKey(link.conversationId)}`);
    expect(row.rowKey).toBe('demo.DEMO-1');
    expect(fromTableEntity(asReadBack(row))).toEqual(link);
    expect(fromTableEntity(asReadBack(toTableEntity({ ...link, stale: true }))).stale).toBe(true);
    const stale: LinkEntity = {
      ...link,
      stale: true,
      staleSince: '2024-05-02T10:00:00.000Z',
      staleStatus: 404,
      staleChecks: 2,
      nextCheckAt: '2024-05-02T10:30:00.000Z',
    };
    expect(fromTableEntity(asReadBack(toTableEntity(stale)))).toEqual(stale);
  });

  it('reject a corrupt row', () => {
    const row = asReadBack(toTableEntity(link));
    expectRowInvalid(() => fromTableEntity({ ...row, stale: 'yes' }), 'stale');
    expectRowInvalid(() => fromTableEntity({ ...row, linkedAt: 17 }), 'linkedAt');
  });
});
