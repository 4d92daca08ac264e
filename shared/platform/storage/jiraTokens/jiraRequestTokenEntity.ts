import { z } from 'zod';
import { tableDateSchema, toTableDate } from '../tableDate';
import { encodeKeyPart } from '../tableKey';
import { jiraTokenCodec } from './jiraTokenCodec';
import type { TableRow } from '../TypedTable';

/**
 * An authorization between "start" and Jira's callback. OAuth 1.0a: keyed by the hash of
 * the request token (`hashKey(requestToken)`), the token stored encrypted for the begin
 * step's redirect to Jira, and its secret. OAuth 2.0 (`flow` oauth2): keyed by the hash of
 * the `state`, the state stored encrypted the same way, and the PKCE code verifier in place
 * of the secret. The begin step is single-use (`browserBindingHash` set once, with the
 * ETag read) and so is the callback (`used` flipped the same way).
 */
export interface JiraRequestTokenEntity {
  tenantId: string;
  requestTokenHash: string;
  userId: string;
  instanceId: string;
  /** Absent: OAuth 1.0a (rows from before OAuth 2.0 too). */
  flow?: 'oauth1' | 'oauth2';
  /** OAuth 1.0a: the request token's secret; OAuth 2.0: the PKCE code verifier. */
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

/**
 * `pending:` + hash. `:` never occurs in an encoded part, so this RowKey can never equal an
 * access token's (user.instance), whatever the ids.
 */
const ROW_PREFIX = 'pending:';

export const jiraRequestTokenCodec = jiraTokenCodec({
  kind: 'pending',
  rowKey: (key: JiraRequestTokenKey): string => ROW_PREFIX + encodeKeyPart(key.requestTokenHash),
  columns: {
    tenantId: z.string().min(1),
    requestTokenHash: z.string().min(1),
    userId: z.string().min(1),
    instanceId: z.string().min(1),
    flow: z.enum(['oauth1', 'oauth2']).optional(),
    encryptedTokenSecret: z.string().min(1),
    encryptedRequestToken: z.string().min(1).optional(),
    beginKeyHash: z.string().min(1).optional(),
    browserBindingHash: z.string().min(1).optional(),
    expiresAt: tableDateSchema,
    used: z.boolean(),
    createdAt: tableDateSchema,
  },
  toColumns: (entity: JiraRequestTokenEntity) => ({
    tenantId: entity.tenantId,
    requestTokenHash: entity.requestTokenHash,
    userId: entity.userId,
    instanceId: entity.instanceId,
    flow: entity.flow,
    encryptedTokenSecret: entity.encryptedTokenSecret,
    encryptedRequestToken: entity.encryptedRequestToken,
    beginKeyHash: entity.beginKeyHash,
    browserBindingHash: entity.browserBindingHash,
    expiresAt: toTableDate(entity.expiresAt, 'expiresAt'),
    used: entity.used,
    createdAt: toTableDate(entity.createdAt, 'createdAt'),
  }),
  fromColumns: (row): JiraRequestTokenEntity => row,
});

export const toTableEntity = (entity: JiraRequestTokenEntity): TableRow => jiraRequestTokenCodec.toTableEntity(entity);
export const fromTableEntity = (row: Readonly<Record<string, unknown>>): JiraRequestTokenEntity =>
  jiraRequestTokenCodec.fromTableEntity(row);
