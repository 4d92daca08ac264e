import { odata } from '@azure/data-tables';
import { z } from 'zod';
import { parseTableRow } from '../parseTableRow';
import { tableDateSchema, toTableDate } from '../tableDate';
import { encodeKeyPart } from '../tableKey';
import { tableNames } from '../tableNames';
import type { TableCodec, TableRow } from '../TypedTable';
import type { JiraTokenPartition } from './jiraAccessTokenEntity';

/**
 * An OAuth 1.0a request token between "start" and Jira's callback. Only its hash is stored
 * (`hashKey(requestToken)`), so a leaked table does not hand out a usable token; `used`
 * makes it single-use (flip it with `update` and the ETag read).
 */
export interface JiraRequestTokenEntity {
  tenantId: string;
  requestTokenHash: string;
  userId: string;
  instanceId: string;
  encryptedTokenSecret: string;
  expiresAt: string;
  used: boolean;
  createdAt: string;
}

export type JiraRequestTokenKey = Pick<JiraRequestTokenEntity, 'tenantId' | 'requestTokenHash'>;

const KIND = 'pending';

/**
 * `pending:` + hash. `:` never occurs in an encoded part, so this RowKey can never equal an
 * access token's (user.instance), whatever the ids.
 */
const ROW_PREFIX = 'pending:';

const rowSchema = z.object({
  kind: z.literal(KIND),
  tenantId: z.string().min(1),
  requestTokenHash: z.string().min(1),
  userId: z.string().min(1),
  instanceId: z.string().min(1),
  encryptedTokenSecret: z.string().min(1),
  expiresAt: tableDateSchema,
  used: z.boolean(),
  createdAt: tableDateSchema,
});

const partitionKey = (partition: JiraTokenPartition): string => encodeKeyPart(partition.tenantId);
const rowKey = (key: JiraRequestTokenKey): string => ROW_PREFIX + encodeKeyPart(key.requestTokenHash);

export function toTableEntity(entity: JiraRequestTokenEntity): TableRow {
  return {
    partitionKey: partitionKey(entity),
    rowKey: rowKey(entity),
    kind: KIND,
    tenantId: entity.tenantId,
    requestTokenHash: entity.requestTokenHash,
    userId: entity.userId,
    instanceId: entity.instanceId,
    encryptedTokenSecret: entity.encryptedTokenSecret,
    expiresAt: toTableDate(entity.expiresAt, 'expiresAt'),
    used: entity.used,
    createdAt: toTableDate(entity.createdAt, 'createdAt'),
  };
}

export function fromTableEntity(row: Readonly<Record<string, unknown>>): JiraRequestTokenEntity {
  const { kind: _kind, ...entity } = parseTableRow(rowSchema, row, tableNames.jiraTokens);
  return entity;
}

export const jiraRequestTokenCodec: TableCodec<JiraRequestTokenEntity, JiraRequestTokenKey, JiraTokenPartition> = {
  table: tableNames.jiraTokens,
  partitionKey,
  rowKey,
  toTableEntity,
  fromTableEntity,
  kindFilter: odata`kind eq ${KIND}`,
};
