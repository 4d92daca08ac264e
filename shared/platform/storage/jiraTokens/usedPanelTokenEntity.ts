import { odata } from '@azure/data-tables';
import { z } from 'zod';
import { parseTableRow } from '../parseTableRow';
import { tableDateSchema, toTableDate } from '../tableDate';
import { encodeKeyPart } from '../tableKey';
import { tableNames } from '../tableNames';
import type { TableCodec, TableRow } from '../TypedTable';
import type { JiraTokenPartition } from './jiraAccessTokenEntity';

/**
 * A page token of the Jira app (the admin panel's iframe JWT) that has been used: kept
 * until the token expires so that it opens one session only. `tokenHash` is a hash of the
 * token's `jti` or of the token itself (shared/admin decides), never the token.
 */
export interface UsedPanelTokenEntity {
  tenantId: string;
  tokenHash: string;
  instanceId: string;
  /** When the token stops being accepted anyway (its `exp` plus the clock skew): the row may go then. */
  expiresAt: string;
  usedAt: string;
}

export type UsedPanelTokenKey = Pick<UsedPanelTokenEntity, 'tenantId' | 'tokenHash'>;

const KIND = 'panelToken';

/** `panel:` + hash: `:` never occurs in an encoded part, so no access token's or request token's RowKey can equal it. */
const ROW_PREFIX = 'panel:';

const rowSchema = z.object({
  kind: z.literal(KIND),
  tenantId: z.string().min(1),
  tokenHash: z.string().min(1),
  instanceId: z.string().min(1),
  expiresAt: tableDateSchema,
  usedAt: tableDateSchema,
});

const partitionKey = (partition: JiraTokenPartition): string => encodeKeyPart(partition.tenantId);
const rowKey = (key: UsedPanelTokenKey): string => ROW_PREFIX + encodeKeyPart(key.tokenHash);

export function toTableEntity(entity: UsedPanelTokenEntity): TableRow {
  return {
    partitionKey: partitionKey(entity),
    rowKey: rowKey(entity),
    kind: KIND,
    tenantId: entity.tenantId,
    tokenHash: entity.tokenHash,
    instanceId: entity.instanceId,
    expiresAt: toTableDate(entity.expiresAt, 'expiresAt'),
    usedAt: toTableDate(entity.usedAt, 'usedAt'),
  };
}

export function fromTableEntity(row: Readonly<Record<string, unknown>>): UsedPanelTokenEntity {
  const { kind: _kind, ...entity } = parseTableRow(rowSchema, row, tableNames.jiraTokens);
  return entity;
}

export const usedPanelTokenCodec: TableCodec<UsedPanelTokenEntity, UsedPanelTokenKey, JiraTokenPartition> = {
  table: tableNames.jiraTokens,
  partitionKey,
  rowKey,
  toTableEntity,
  fromTableEntity,
  kindFilter: odata`kind eq ${KIND}`,
};
