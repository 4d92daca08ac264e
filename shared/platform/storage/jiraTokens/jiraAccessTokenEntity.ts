import { odata } from '@azure/data-tables';
import { z } from 'zod';
import { parseTableRow } from '../parseTableRow';
import { tableDateSchema, toTableDate } from '../tableDate';
import { compositeKey, encodeKeyPart } from '../tableKey';
import { tableNames } from '../tableNames';
import type { TableCodec, TableRow } from '../TypedTable';

/** A user's OAuth 1.0a access token for one Jira instance, both parts encrypted by the caller. */
export interface JiraAccessTokenEntity {
  tenantId: string;
  userId: string;
  instanceId: string;
  encryptedAccessToken: string;
  encryptedTokenSecret: string;
  /** The Jira user the token acts as (`/myself` right after the exchange); absent on rows from before it was recorded. */
  jiraUserName?: string;
  jiraDisplayName?: string;
  createdAt: string;
  updatedAt: string;
}

export type JiraAccessTokenKey = Pick<JiraAccessTokenEntity, 'tenantId' | 'userId' | 'instanceId'>;
export type JiraTokenPartition = Pick<JiraAccessTokenEntity, 'tenantId'>;

/** Access tokens, pending request tokens and used panel tokens share the table; this column tells them apart. */
const KIND = 'access';

const rowSchema = z.object({
  kind: z.literal(KIND),
  tenantId: z.string().min(1),
  userId: z.string().min(1),
  instanceId: z.string().min(1),
  encryptedAccessToken: z.string().min(1),
  encryptedTokenSecret: z.string().min(1),
  jiraUserName: z.string().min(1).optional(),
  jiraDisplayName: z.string().optional(),
  createdAt: tableDateSchema,
  updatedAt: tableDateSchema,
});

const partitionKey = (partition: JiraTokenPartition): string => encodeKeyPart(partition.tenantId);
const rowKey = (key: JiraAccessTokenKey): string => compositeKey(key.userId, key.instanceId);

export function toTableEntity(entity: JiraAccessTokenEntity): TableRow {
  return {
    partitionKey: partitionKey(entity),
    rowKey: rowKey(entity),
    kind: KIND,
    tenantId: entity.tenantId,
    userId: entity.userId,
    instanceId: entity.instanceId,
    encryptedAccessToken: entity.encryptedAccessToken,
    encryptedTokenSecret: entity.encryptedTokenSecret,
    ...(entity.jiraUserName === undefined ? {} : { jiraUserName: entity.jiraUserName }),
    ...(entity.jiraDisplayName === undefined ? {} : { jiraDisplayName: entity.jiraDisplayName }),
    createdAt: toTableDate(entity.createdAt, 'createdAt'),
    updatedAt: toTableDate(entity.updatedAt, 'updatedAt'),
  };
}

export function fromTableEntity(row: Readonly<Record<string, unknown>>): JiraAccessTokenEntity {
  const { kind: _kind, ...entity } = parseTableRow(rowSchema, row, tableNames.jiraTokens);
  return entity;
}

export const jiraAccessTokenCodec: TableCodec<JiraAccessTokenEntity, JiraAccessTokenKey, JiraTokenPartition> = {
  table: tableNames.jiraTokens,
  partitionKey,
  rowKey,
  toTableEntity,
  fromTableEntity,
  kindFilter: odata`kind eq ${KIND}`,
};
