import {
  fromTableEntity,
  jiraRequestTokenCodec,
  toTableEntity,
  type JiraRequestTokenEntity,
} from '../../../../../../shared/platform/storage/jiraTokens/jiraRequestTokenEntity';
import { jiraAccessTokenCodec } from '../../../../../../shared/platform/storage/jiraTokens/jiraAccessTokenEntity';
import { hashKey } from '../../../../../../shared/platform/storage/tableKey';
import { asReadBack, expectRowInvalid } from '../rowAssertions';

const pending: JiraRequestTokenEntity = {
  tenantId: 'tenant-1',
  requestTokenHash: hashKey('request-token-from-jira'),
  userId: 'user-1',
  instanceId: 'demo',
  encryptedTokenSecret: 'v1.k1.c2VjcmV0',
  expiresAt: '2024-05-01T10:10:00.000Z',
  used: false,
  createdAt: '2024-05-01T10:00:00.000Z',
};

describe('Jira request token converters', () => {
  it('round-trip, with RowKey pending: + hash of the token (never the token)', () => {
    const row = toTableEntity(pending);
    expect(row.rowKey).toBe(`pending:${hashKey('request-token-from-jira')}`);
    expect(JSON.stringify(row)).not.toContain('request-token-from-jira');
    expect(fromTableEntity(asReadBack(row))).toEqual(pending);
    expect(fromTableEntity(asReadBack(toTableEntity({ ...pending, used: true }))).used).toBe(true);
  });

  it('can never share a RowKey with an access token', () => {
    const hash = pending.requestTokenHash;
    expect(jiraAccessTokenCodec.rowKey({ tenantId: 't', userId: 'pending', instanceId: hash })).not.toBe(
      jiraRequestTokenCodec.rowKey({ tenantId: 't', requestTokenHash: hash }),
    );
    expect(jiraAccessTokenCodec.rowKey({ tenantId: 't', userId: `pending:${hash}`, instanceId: '' })).not.toContain(':');
  });

  it('reject a corrupt row', () => {
    const row = asReadBack(toTableEntity(pending));
    expectRowInvalid(() => fromTableEntity({ ...row, used: 'no' }), 'used');
    expectRowInvalid(() => fromTableEntity({ ...row, expiresAt: undefined }), 'expiresAt');
  });
});
