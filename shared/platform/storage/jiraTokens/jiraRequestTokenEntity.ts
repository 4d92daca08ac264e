import { odata } from '@azure/data-tables';
import { z } from 'zod';
import { parseTableRow } from '../parseTableRow';
import { tableDateSchema, toTableDate } from '../tableDate';
import { encodeKeyPart } from '../tableKey';
import { tableNames } from '../tableNames';
import type { TableCodec, TableRow } from '../TypedTable';
import type { JiraTokenPartition } from './jiraAccessTokenEntity';

/**
 * An OAuth 1.0a request token between "start" and Jira's callback. It is keyed by its hash
 * (`hashKey(requestToken)`); the token itself is stored encrypted, for the begin step's
 * redirect to Jira. The begin step is single-use (`browserBindingHash` set once, with the
 * ETag read) and so is the callback (`used` flipped the same way).
 */
export interface JiraRequestTokenEntity {
  tenantId: string;
  requestTokenHash: string;
  userId: string;
  instanceId: string;
  encryptedTokenSecret: string;
  /** Absent on rows written before the begin step existed: those can be neither begun nor completed. */
  encryptedRequestToken?: string;
  /** Hash of the secret half of the begin URL's id. */
  beginKeyHash?: string;
  /** Hash of the cookie the begin step gave the browser; set once, when the browser begins. */
  browserBindingHash?: string;
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
  encryptedRequestToken: z.string().min(1).optional(),
  beginKeyHash: z.string().min(1).optional(),
  browserBindingHash: z.string().min(1).optional(),
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
    ...(entity.encryptedRequestToken === undefined ? {} : { encryptedRequestToken: entity.encryptedRequestToken }),
    ...(entity.beginKeyHash === undefined ? {} : { beginKeyHash: entity.beginKeyHash }),
    ...(entity.browserBindingHash === undefined ? {} : { browserBindingHash: entity.browserBindingHash }),
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
