import type { UsedPanelTokensInit } from '../../../../shared/admin/UsedPanelTokens';
import type { UsedPanelTokenEntity } from '../../../../shared/platform/storage/jiraTokens/usedPanelTokenEntity';

export type MemoryUsedPanelTokenTable = UsedPanelTokensInit['repository'] & {
  rows: Map<string, UsedPanelTokenEntity>;
  /** Makes `listExpiredBefore` fail, as storage that is down. */
  failLists: boolean;
  /** How many times `listExpiredBefore` was called. */
  lists: number;
};

/** The `panel:` rows of `jiraTokens` in memory, with Table Storage's semantics: insert fails on an existing key; expired rows listed by time. */
export function memoryUsedPanelTokenTable(): MemoryUsedPanelTokenTable {
  const rows = new Map<string, UsedPanelTokenEntity>();
  const table: MemoryUsedPanelTokenTable = {
    rows,
    failLists: false,
    lists: 0,
    insert: (entity) => {
      const key = `${entity.tenantId}/${entity.tokenHash}`;
      if (rows.has(key)) return Promise.resolve(false);
      rows.set(key, entity);
      return Promise.resolve(true);
    },
    listExpiredBefore: (tenantId, time, max) => {
      table.lists += 1;
      if (table.failLists) return Promise.reject(new Error('storage down'));
      return Promise.resolve(
        [...rows.values()].filter((row) => row.tenantId === tenantId && Date.parse(row.expiresAt) < Date.parse(time)).slice(0, max),
      );
    },
    delete: (key) => {
      rows.delete(`${key.tenantId}/${key.tokenHash}`);
      return Promise.resolve();
    },
  };
  return table;
}
