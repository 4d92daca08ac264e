import { z } from 'zod';
import { parseTableRow } from '../parseTableRow';
import { tableDateSchema, toTableDate } from '../tableDate';
import { encodeKeyPart } from '../tableKey';
import { tableNames } from '../tableNames';
import type { TableCodec, TableRow } from '../TypedTable';
import { withoutUndefined } from '../withoutUndefined';

/** A registered Jira instance. Secrets arrive already encrypted by the caller (SecretBox). */
export interface InstanceEntity {
  tenantId: string;
  instanceId: string;
  baseUrl: string;
  displayName: string;
  consumerKey: string;
  publicKeyPem: string;
  encryptedPrivateKey: string;
  serviceUser?: string;
  /** A personal access token of `serviceUser`. */
  encryptedServiceToken?: string;
  appKey?: string;
  /** The shared secret of the Jira app's iframe JWTs for the admin page. */
  encryptedAdminSecret?: string;
  /** How users authorize: absent (rows from before OAuth 2.0) is OAuth 1.0a. */
  authKind?: 'oauth1' | 'oauth2';
  /** The client id of the incoming OAuth 2.0 link Jira created. */
  oauth2ClientId?: string;
  /** Its client secret. */
  encryptedOAuth2ClientSecret?: string;
  createdAt: string;
  updatedAt: string;
}

export type InstanceKey = Pick<InstanceEntity, 'tenantId' | 'instanceId'>;
export type InstancePartition = Pick<InstanceEntity, 'tenantId'>;

const rowSchema = z.object({
  tenantId: z.string().min(1),
  instanceId: z.string().min(1),
  baseUrl: z.string().min(1),
  displayName: z.string(),
  consumerKey: z.string().min(1),
  publicKeyPem: z.string().min(1),
  encryptedPrivateKey: z.string().min(1),
  serviceUser: z.string().optional(),
  encryptedServiceToken: z.string().optional(),
  appKey: z.string().optional(),
  encryptedAdminSecret: z.string().optional(),
  authKind: z.enum(['oauth1', 'oauth2']).optional(),
  oauth2ClientId: z.string().min(1).optional(),
  encryptedOAuth2ClientSecret: z.string().min(1).optional(),
  createdAt: tableDateSchema,
  updatedAt: tableDateSchema,
});

const partitionKey = (partition: InstancePartition): string => encodeKeyPart(partition.tenantId);
const rowKey = (key: InstanceKey): string => encodeKeyPart(key.instanceId);

export function toTableEntity(entity: InstanceEntity): TableRow {
  return withoutUndefined({
    partitionKey: partitionKey(entity),
    rowKey: rowKey(entity),
    tenantId: entity.tenantId,
    instanceId: entity.instanceId,
    baseUrl: entity.baseUrl,
    displayName: entity.displayName,
    consumerKey: entity.consumerKey,
    publicKeyPem: entity.publicKeyPem,
    encryptedPrivateKey: entity.encryptedPrivateKey,
    serviceUser: entity.serviceUser,
    encryptedServiceToken: entity.encryptedServiceToken,
    appKey: entity.appKey,
    encryptedAdminSecret: entity.encryptedAdminSecret,
    authKind: entity.authKind,
    oauth2ClientId: entity.oauth2ClientId,
    encryptedOAuth2ClientSecret: entity.encryptedOAuth2ClientSecret,
    createdAt: toTableDate(entity.createdAt, 'createdAt'),
    updatedAt: toTableDate(entity.updatedAt, 'updatedAt'),
  });
}

export function fromTableEntity(row: Readonly<Record<string, unknown>>): InstanceEntity {
  return withoutUndefined(parseTableRow(rowSchema, row, tableNames.instances));
}

export const instanceCodec: TableCodec<InstanceEntity, InstanceKey, InstancePartition> = {
  table: tableNames.instances,
  partitionKey,
  rowKey,
  toTableEntity,
  fromTableEntity,
};
