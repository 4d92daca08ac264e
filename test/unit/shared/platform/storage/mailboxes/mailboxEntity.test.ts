import { fromTableEntity, toTableEntity, type MailboxEntity } from '../../../../../../shared/platform/storage/mailboxes/mailboxEntity';
import { asReadBack, expectRowInvalid } from '../rowAssertions';

const mailbox: MailboxEntity = {
  tenantId: 'tenant-1',
  userId: 'user@contoso.com',
  subscriptionId: 'sub/1+2=',
  updatedAt: '2024-05-01T10:00:00.000Z',
};

describe('mailbox converters', () => {
  it('round-trip, with the user id encoded in the RowKey', () => {
    const row = toTableEntity(mailbox);
    expect(row.rowKey).toBe('user~40contoso~2Ecom');
    expect(fromTableEntity(asReadBack(row))).toEqual(mailbox);
  });

  it('reject a corrupt row', () => {
    expectRowInvalid(() => fromTableEntity({ ...asReadBack(toTableEntity(mailbox)), subscriptionId: 12 }), 'subscriptionId');
  });
});
