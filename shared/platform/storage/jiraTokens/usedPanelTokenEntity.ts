import { z } from 'zod';
import { tableDateSchema, toTableDate } from '../tableDate';
import { encodeKeyPart } from '../tableKey';
import { jiraTokenCodec } from './jiraTokenCodec';
import type { TableRow } from '../TypedTable';

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

/** `panel:` + hash: `:` never occurs in an encoded part, so no access token's or request token's RowKey can equal it. */
const ROW_PREFIX = 'panel:';

export const usedPanelTokenCodec = jiraTokenCodec({
  kind: 'panelToken',
  rowKey: (key: UsedPanelTokenKey): string => ROW_PREFIX + encodeKeyPart(key.tokenHash),
  columns: {
    tenantId: z.string().min(1),
    tokenHash: z.string().min(1),
    instanceId: z.string().min(1),
    expiresAt: tableDateSchema,
    usedAt: tableDateSchema,
  },
  toColumns: (entity: UsedPanelTokenEntity) => ({
    tenantId: entity.tenantId,
    tokenHash: entity.tokenHash,
    instanceId: entity.instanceId,
    expiresAt: toTableDate(entity.expiresAt, 'expiresAt'),
    usedAt: toTableDate(entity.usedAt, 'usedAt'),
  }),
  fromColumns: (row): UsedPanelTokenEntity => row,
});

export const toTableEntity = (entity: UsedPanelTokenEntity): TableRow => usedPanelTokenCodec.toTableEntity(entity);
export const fromTableEntity = (row: Readonly<Record<string, unknown>>): UsedPanelTokenEntity => usedPanelTokenCodec.fromTableEntity(row);
