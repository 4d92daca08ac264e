import { ReportCounters } from '../../../../shared/admin/ReportCounters';
import type { ReportEntity, ReportKey } from '../../../../shared/admin/reportEntity';

/** A `reports` table in memory with ETags, whose writes can be made to fail. */
function table() {
  const rows = new Map<string, { entity: ReportEntity; etag: number }>();
  const state = { failing: false, writes: 0 };
  const id = (key: ReportKey) => `${key.scope}/${key.day}/${key.shard}`;
  const refuse = () => {
    if (state.failing) throw new Error('storage down');
  };
  return {
    state,
    repository: {
      getVersioned: async (key: ReportKey) => {
        refuse();
        const row = rows.get(id(key));
        return row && { entity: structuredClone(row.entity), etag: String(row.etag) };
      },
      insert: async (entity: ReportEntity) => {
        refuse();
        state.writes += 1;
        if (rows.has(id(entity))) return false;
        rows.set(id(entity), { entity: structuredClone(entity), etag: 1 });
        return true;
      },
      update: async (entity: ReportEntity, etag: string) => {
        refuse();
        state.writes += 1;
        const row = rows.get(id(entity));
        if (!row || String(row.etag) !== etag) return false;
        rows.set(id(entity), { entity: structuredClone(entity), etag: row.etag + 1 });
        return true;
      },
      listDays: async function* (scope: string, firstDay: string, lastDay: string) {
        for (const { entity } of rows.values()) if (entity.scope === scope && entity.day >= firstDay && entity.day <= lastDay) yield entity;
      },
    },
  };
}

const now = Date.parse('2026-12-03T10:00:00Z');

describe('ReportCounters', () => {
  it('sums adds in memory and writes them in one flush', async () => {
    const { repository, state } = table();
    const counters = new ReportCounters({ repository, clock: { now: () => now }, shards: 1 });
    for (let i = 0; i < 100; i += 1) await counters.add('t1', { received: 1 });
    expect(state.writes).toBe(0);
    await counters.flush();
    expect(state.writes).toBe(1);
    const other = new ReportCounters({ repository, clock: { now: () => now } });
    expect((await other.read('t1', '2026-12-03', '2026-12-03')).get('2026-12-03')).toEqual({ received: 100 });
    await counters.stop();
  });

  it('keeps the sums of a failed flush and writes them, with what came since, in the next', async () => {
    const { repository, state } = table();
    const errors: unknown[] = [];
    const counters = new ReportCounters({ repository, clock: { now: () => now }, shards: 1, onFlushError: (error) => errors.push(error) });
    await counters.add('t1', { received: 2 });
    state.failing = true;
    await expect(counters.flush()).rejects.toThrow('storage down');
    // Still shown by this process, nothing lost.
    await counters.add('t1', { received: 3 });
    state.failing = false;
    expect((await counters.read('t1', '2026-12-03', '2026-12-03')).get('2026-12-03')).toEqual({ received: 5 });
    await counters.flush();
    const other = new ReportCounters({ repository, clock: { now: () => now } });
    expect((await other.read('t1', '2026-12-03', '2026-12-03')).get('2026-12-03')).toEqual({ received: 5 });
    expect(await counters.stop()).toBe(true);
  });

  it('stop writes what is held, and gives up within its budget when storage hangs', async () => {
    const { repository } = table();
    const counters = new ReportCounters({ repository, clock: { now: () => now }, flushIntervalMs: 60_000 });
    await counters.add('t1', { received: 1 });
    expect(await counters.stop()).toBe(true);
    const hanging = new ReportCounters({
      repository: { ...repository, getVersioned: () => new Promise(() => undefined) },
      clock: { now: () => now },
    });
    await hanging.add('t1', { received: 1 });
    expect(await hanging.stop(50)).toBe(false);
  });

  it('refuses a metric that cannot be a column', async () => {
    const counters = new ReportCounters({ repository: table().repository, clock: { now: () => now } });
    await expect(counters.add('t1', { 'not a column': 1 })).rejects.toThrow();
    await counters.stop();
  });
});
