import { UsedPanelTokens, type UsedPanelTokensInit } from '../../../../shared/admin/UsedPanelTokens';
import type { UsedPanelTokenEntity } from '../../../../shared/platform/storage/jiraTokens/usedPanelTokenEntity';

const ref = { tenantId: '6f1c2a4e-8b0d-4c7e-9a51-3d2f0e6b7c18', instanceId: 'demo' };

/** The table's semantics in memory: insert fails on an existing key; expired rows listed by time. */
function memoryTable(): UsedPanelTokensInit['repository'] & { rows: Map<string, UsedPanelTokenEntity>; failLists: boolean } {
  const rows = new Map<string, UsedPanelTokenEntity>();
  const table = {
    rows,
    failLists: false,
    insert: (entity: UsedPanelTokenEntity) => {
      const key = `${entity.tenantId}/${entity.tokenHash}`;
      if (rows.has(key)) return Promise.resolve(false);
      rows.set(key, entity);
      return Promise.resolve(true);
    },
    listExpiredBefore: (tenantId: string, time: string, max: number) =>
      table.failLists
        ? Promise.reject(new Error('storage down'))
        : Promise.resolve(
            [...rows.values()].filter((row) => row.tenantId === tenantId && Date.parse(row.expiresAt) < Date.parse(time)).slice(0, max),
          ),
    delete: (key: { tenantId: string; tokenHash: string }) => {
      rows.delete(`${key.tenantId}/${key.tokenHash}`);
      return Promise.resolve();
    },
  };
  return table;
}

describe('UsedPanelTokens', () => {
  let now = Date.UTC(2025, 0, 1, 12);
  const clock = { now: () => now };
  const seconds = () => Math.floor(now / 1000);

  it('answers true for the first use of a token only, and keeps it until the token expires', async () => {
    const table = memoryTable();
    const used = new UsedPanelTokens({ repository: table, clock });
    expect(await used.claim(ref, 'h1', seconds() + 240)).toBe(true);
    expect(await used.claim(ref, 'h1', seconds() + 240)).toBe(false);
    expect(table.rows.get(`${ref.tenantId}/h1`)).toEqual({
      ...ref,
      tokenHash: 'h1',
      expiresAt: new Date(now + 240_000).toISOString(),
      usedAt: new Date(now).toISOString(),
    });
  });

  it("deletes a few of the tenant's expired rows on each first use, never a row still needed", async () => {
    const table = memoryTable();
    const used = new UsedPanelTokens({ repository: table, clock, pruneBatch: 2 });
    for (const hash of ['old1', 'old2', 'old3']) await used.claim(ref, hash, seconds() + 60);
    await used.claim(ref, 'live', seconds() + 3600);
    now += 120_000;
    expect(await used.claim(ref, 'next', seconds() + 240)).toBe(true);
    expect(table.rows.size).toBe(3);
    expect(await used.claim(ref, 'after', seconds() + 240)).toBe(true);
    expect([...table.rows.values()].map((row) => row.tokenHash).sort()).toEqual(['after', 'live', 'next']);
  });

  it('a failed clean-up does not fail the use; a failed insert does', async () => {
    const table = memoryTable();
    table.failLists = true;
    const used = new UsedPanelTokens({ repository: table, clock });
    expect(await used.claim(ref, 'h', seconds() + 60)).toBe(true);
    const broken = new UsedPanelTokens({ repository: { ...table, insert: () => Promise.reject(new Error('storage down')) }, clock });
    await expect(broken.claim(ref, 'h2', seconds() + 60)).rejects.toThrow('storage down');
  });
});
