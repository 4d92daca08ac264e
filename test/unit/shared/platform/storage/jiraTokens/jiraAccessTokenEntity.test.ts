import {
  fromTableEntity,
  jiraAccessTokenCodec,
  toTableEntity,
  type JiraAccessTokenEntity,
} from '../../../../../../shared/platform/storage/jiraTokens/jiraAccessTokenEntity';
import { toTableEntity as toRequestTokenRow } from '../../../../../../shared/platform/storage/jiraTokens/jiraRequestTokenEntity';
import { asReadBack, expectRowInvalid, hasForbiddenKeyCharacter } from '../rowAssertions';

const token: JiraAccessTokenEntity = {
  tenantId: 'tenant-1',
  userId: 'b0e3c2f1-0000-4000-8000-000000000001',
  instanceId: 'demo',
  encryptedAccessToken: 'v1.k1.YWNjZXNz',
  encryptedTokenSecret: 'v1.k1.c2VjcmV0',
  createdAt: '2024-05-01T10:00:00.000Z',
  updatedAt: '2024-05-01T10:00:00.000Z',
};

describe('Jira access token converters', () => {
  it('round-trip, with RowKey user.instance', () => {
    const row = toTableEntity(token);
    expect(row.partitionKey).toBe('tenant-1');
    expect(row.rowKey).toBe('b0e3c2f1-0000-4000-8000-000000000001.demo');
    expect(fromTableEntity(asReadBack(row))).toEqual(token);
  });

  it('keep user and instance apart in the key even when they contain the separator', () => {
    const a = jiraAccessTokenCodec.rowKey({ tenantId: 't', userId: 'a.b', instanceId: 'c' });
    const b = jiraAccessTokenCodec.rowKey({ tenantId: 't', userId: 'a', instanceId: 'b.c' });
    expect(a).not.toBe(b);
    expect(hasForbiddenKeyCharacter(a)).toBe(false);
  });

  it('reject a pending request token row and a corrupt row', () => {
    const pending = toRequestTokenRow({
      tenantId: 'tenant-1',
      requestTokenHash: 'abc',
      userId: 'u',
      instanceId: 'demo',
      encryptedTokenSecret: 'v1.k1.eA',
      expiresAt: '2024-05-01T10:10:00.000Z',
      used: false,
      createdAt: '2024-05-01T10:00:00.000Z',
    });
    expectRowInvalid(() => fromTableEntity(asReadBack(pending)), 'kind');
    expectRowInvalid(() => fromTableEntity({ ...asReadBack(toTableEntity(token)), encryptedTokenSecret: '' }), 'encryptedTokenSecret', [
      'c2VjcmV0',
    ]);
  });

  it('round-trip an OAuth 2.0 token, and refuse one without its refresh token or expiry', () => {
    const { encryptedTokenSecret: _secret, ...rest } = token;
    const bearer: JiraAccessTokenEntity = {
      ...rest,
      tokenKind: 'oauth2',
      encryptedRefreshToken: 'v1.k1.cmVmcmVzaA',
      accessExpiresAt: '2024-05-01T12:00:00.000Z',
      scope: 'WRITE',
    };
    expect(fromTableEntity(asReadBack(toTableEntity(bearer)))).toEqual(bearer);
    const { encryptedRefreshToken: _refresh, ...withoutRefresh } = bearer;
    expectRowInvalid(() => fromTableEntity(asReadBack(toTableEntity(withoutRefresh))), 'encryptedRefreshToken');
  });

  it('read a row from before OAuth 2.0 (no tokenKind) as OAuth 1.0a, which needs its secret', () => {
    const { encryptedTokenSecret: _secret, ...withoutSecret } = token;
    expect(fromTableEntity(asReadBack(toTableEntity(token))).tokenKind).toBeUndefined();
    expectRowInvalid(() => fromTableEntity(asReadBack(toTableEntity(withoutSecret))), 'encryptedTokenSecret');
  });
});
