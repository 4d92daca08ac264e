import { z } from 'zod';
import { AppError } from '../../errors/AppError';
import { tableDateSchema, toTableDate } from '../tableDate';
import { compositeKey } from '../tableKey';
import { tableNames } from '../tableNames';
import { jiraTokenCodec } from './jiraTokenCodec';
import type { TableRow } from '../TypedTable';

export type { JiraTokenPartition } from './jiraTokenCodec';

/**
 * A user's token for one Jira instance, its parts encrypted by the caller. OAuth 1.0a
 * (`tokenKind` oauth1, the default of rows from before OAuth 2.0): access token and token
 * secret. OAuth 2.0 (oauth2): a bearer access token, when it expires, and the refresh token
 * that replaces it (rotated by Jira at each refresh).
 */
export interface JiraAccessTokenEntity {
  tenantId: string;
  userId: string;
  instanceId: string;
  tokenKind?: 'oauth1' | 'oauth2';
  encryptedAccessToken: string;
  /** OAuth 1.0a only. */
  encryptedTokenSecret?: string;
  /** OAuth 2.0 only. */
  encryptedRefreshToken?: string;
  /** OAuth 2.0 only: when Jira stops accepting the access token (ISO). */
  accessExpiresAt?: string;
  /** OAuth 2.0 only: the scope Jira granted, e.g. `WRITE`. */
  scope?: string;
  /** The Jira user the token acts as (`/myself` right after the exchange); absent on rows from before it was recorded. */
  jiraUserName?: string;
  jiraDisplayName?: string;
  createdAt: string;
  updatedAt: string;
}

export type JiraAccessTokenKey = Pick<JiraAccessTokenEntity, 'tenantId' | 'userId' | 'instanceId'>;

const rowKey = (key: JiraAccessTokenKey): string => compositeKey(key.userId, key.instanceId);

export const jiraAccessTokenCodec = jiraTokenCodec({
  kind: 'access',
  rowKey,
  columns: {
    tenantId: z.string().min(1),
    userId: z.string().min(1),
    instanceId: z.string().min(1),
    tokenKind: z.enum(['oauth1', 'oauth2']).optional(),
    encryptedAccessToken: z.string().min(1),
    encryptedTokenSecret: z.string().min(1).optional(),
    encryptedRefreshToken: z.string().min(1).optional(),
    accessExpiresAt: tableDateSchema.optional(),
    scope: z.string().min(1).max(200).optional(),
    jiraUserName: z.string().min(1).optional(),
    jiraDisplayName: z.string().optional(),
    createdAt: tableDateSchema,
    updatedAt: tableDateSchema,
  },
  toColumns: (entity: JiraAccessTokenEntity) => ({
    tenantId: entity.tenantId,
    userId: entity.userId,
    instanceId: entity.instanceId,
    tokenKind: entity.tokenKind,
    encryptedAccessToken: entity.encryptedAccessToken,
    encryptedTokenSecret: entity.encryptedTokenSecret,
    encryptedRefreshToken: entity.encryptedRefreshToken,
    accessExpiresAt: entity.accessExpiresAt === undefined ? undefined : toTableDate(entity.accessExpiresAt, 'accessExpiresAt'),
    scope: entity.scope,
    jiraUserName: entity.jiraUserName,
    jiraDisplayName: entity.jiraDisplayName,
    createdAt: toTableDate(entity.createdAt, 'createdAt'),
    updatedAt: toTableDate(entity.updatedAt, 'updatedAt'),
  }),
  fromColumns: (row): JiraAccessTokenEntity => {
    // Each kind needs its own parts: a row without them cannot sign or refresh anything.
    const missing =
      row.tokenKind === 'oauth2'
        ? [row.encryptedRefreshToken === undefined && 'encryptedRefreshToken', row.accessExpiresAt === undefined && 'accessExpiresAt']
        : [row.encryptedTokenSecret === undefined && 'encryptedTokenSecret'];
    const fields = missing.filter((field): field is string => field !== false);
    if (fields.length > 0)
      throw new AppError({
        code: 'storage_row_invalid',
        detail: `a row of table ${tableNames.jiraTokens} is invalid in: ${fields.join(', ')}`,
      });
    return row;
  },
});

export const toTableEntity = (entity: JiraAccessTokenEntity): TableRow => jiraAccessTokenCodec.toTableEntity(entity);
export const fromTableEntity = (row: Readonly<Record<string, unknown>>): JiraAccessTokenEntity => jiraAccessTokenCodec.fromTableEntity(row);
