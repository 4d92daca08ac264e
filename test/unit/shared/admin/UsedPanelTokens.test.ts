import { UsedPanelTokens } from '../../../../shared/admin/UsedPanelTokens';
import { memoryUsedPanelTokenTable as memoryTable } from './memoryUsedPanelTokenTable';

const ref = { tenantId: '6f1c2a4e-8b0d-4c7e-9a51-3d2f0e6b7c18', instanceId: 'demo' };

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

  it('costs a replayed token one insert: no clean-up, nothing deleted', async () => {
    const table = memoryTable();
    const used = new UsedPanelTokens({ repository: table, clock });
    expect(await used.claim(ref, 'h', seconds() + 240)).toBe(true);
    // An expired row that the next first use would delete.
    const stale = {
      ...ref,
      tokenHash: 'stale',
      expiresAt: new Date(now - 1000).toISOString(),
      usedAt: new Date(now - 61_000).toISOString(),
    };
    table.rows.set(`${ref.tenantId}/stale`, stale);
    const lists = table.lists;
    expect(await used.claim(ref, 'h', seconds() + 240)).toBe(false);
    expect(table.lists).toBe(lists);
    expect(table.rows.get(`${ref.tenantId}/stale`)).toEqual(stale);
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
