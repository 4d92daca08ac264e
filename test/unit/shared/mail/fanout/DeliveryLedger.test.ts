import { DeliveryLedger, type ClaimedDelivery, type DeliveryLedgerInit } from '../../../../../shared/mail/fanout/DeliveryLedger';
import { AppError } from '../../../../../shared/platform/errors/AppError';
import type { DeliveryEntity } from '../../../../../shared/platform/storage/deliveries/deliveryEntity';
import { ManualClock, newTenant, startFanoutTestStorage, type FanoutTestStorage } from './fanoutTestStorage';

type LedgerRepository = DeliveryLedgerInit['repository'];

/**
 * The repository with its calls counted (each is one storage round trip: `insertAll` and
 * `upsertAll` one table transaction), and any of them replaced, e.g. to lose every race.
 */
function counting(repository: LedgerRepository, replaced: Partial<LedgerRepository> = {}) {
  const calls = { insert: 0, insertAll: 0, getVersioned: 0, update: 0, upsert: 0, upsertAll: 0, listByMessage: 0 };
  const counted: LedgerRepository = {
    insert: (entity) => ((calls.insert += 1), (replaced.insert ?? ((e) => repository.insert(e)))(entity)),
    insertAll: (entities) => ((calls.insertAll += 1), (replaced.insertAll ?? ((e) => repository.insertAll(e)))(entities)),
    getVersioned: (key) => ((calls.getVersioned += 1), (replaced.getVersioned ?? ((k) => repository.getVersioned(k)))(key)),
    update: (entity, etag) => ((calls.update += 1), (replaced.update ?? ((e, t) => repository.update(e, t)))(entity, etag)),
    upsert: (entity) => ((calls.upsert += 1), (replaced.upsert ?? ((e) => repository.upsert(e)))(entity)),
    upsertAll: (entities) => ((calls.upsertAll += 1), (replaced.upsertAll ?? ((e) => repository.upsertAll(e)))(entities)),
    listByMessage: (tenantId, internetMessageId) => (
      (calls.listByMessage += 1),
      (replaced.listByMessage ?? ((t, m) => repository.listByMessage(t, m)))(tenantId, internetMessageId)
    ),
  };
  return { counted, calls };
}

describe('DeliveryLedger against Azurite', () => {
  let storage: FanoutTestStorage;
  const clock = new ManualClock();
  let ledger: DeliveryLedger;
  const keyOf = (tenantId: string) => ({ tenantId, internetMessageId: '<m/1+2@example.test>', instanceId: 'demo', issueKey: 'DEMO-1' });

  beforeAll(async () => {
    storage = await startFanoutTestStorage({ reuseMutationAzurite: true });
    ledger = new DeliveryLedger({ repository: storage.repositories.deliveries, clock, leaseSeconds: 60 });
  });
  afterAll(() => storage?.stop());

  it('lets exactly one of many concurrent claims win', async () => {
    const key = keyOf(newTenant());
    const claims = await Promise.all(Array.from({ length: 8 }, () => ledger.claim(key)));
    expect(claims.filter((claim) => claim.kind === 'claimed')).toHaveLength(1);
    expect(claims.filter((claim) => claim.kind === 'busy')).toHaveLength(7);
    const row = await storage.repositories.deliveries.get(key);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
  });

  it("claims a mail's issues in one transaction, and each on its own once any of them is known", async () => {
    const tenantId = newTenant();
    const keys = ['DEMO-1', 'DEMO-2', 'DEMO-3'].map((issueKey) => ({ ...keyOf(tenantId), issueKey }));
    const first = await ledger.claimAll(keys);
    expect(first.map((claim) => claim.kind)).toEqual(['claimed', 'claimed', 'claimed']);
    for (const key of keys) expect(await storage.repositories.deliveries.get(key)).toMatchObject({ status: 'pending', attempts: 1 });

    // A copy of the same mail while the leases run: nothing is taken, nothing written.
    expect((await ledger.claimAll(keys)).map((claim) => claim.kind)).toEqual(['busy', 'busy', 'busy']);

    const [one, two] = first;
    if (one?.kind !== 'claimed' || two?.kind !== 'claimed') throw new Error('expected claims');
    await ledger.completeAll([
      { claim: one, outcome: { status: 'sent', lastStatus: 204, recipients: ['bob'] } },
      { claim: two, outcome: { status: 'failed', lastStatus: 404, reason: 'issue_not_found' } },
    ]);
    expect(await storage.repositories.deliveries.get(keys[0]!)).toMatchObject({ status: 'sent', recipients: ['bob'] });
    expect(await storage.repositories.deliveries.get(keys[1]!)).toMatchObject({ status: 'failed', reason: 'issue_not_found' });

    // After the leases: the two recorded stay done, the third (its attempt died) is taken over; a new issue is claimed.
    clock.advance(61_000);
    const later = await ledger.claimAll([...keys, { ...keyOf(tenantId), issueKey: 'DEMO-4' }]);
    expect(later.map((claim) => claim.kind)).toEqual(['done', 'done', 'claimed', 'claimed']);
    expect(later[2]).toMatchObject({ entity: { attempts: 2 } });
    expect(later[3]).toMatchObject({ entity: { attempts: 1 } });
  });

  it('stops every later copy once sent or failed', async () => {
    for (const status of ['sent', 'failed'] as const) {
      const key = keyOf(newTenant());
      const claim = await ledger.claim(key);
      if (claim.kind !== 'claimed') throw new Error('expected a claim');
      await ledger.complete(claim, {
        status,
        lastStatus: status === 'sent' ? 204 : 404,
        ...(status === 'failed' ? { reason: 'issue_not_found' } : {}),
      });
      clock.advance(3600_000);
      const again = await ledger.claim(key);
      expect(again).toMatchObject({ kind: 'done', entity: { status } });
      expect(again.kind === 'done' && again.entity.leaseUntil).toBeFalsy();
    }
  });

  it('takes over a pending row whose lease ran out, and only then', async () => {
    const key = keyOf(newTenant());
    const first = await ledger.claim(key);
    expect(first.kind).toBe('claimed');
    clock.advance(59_000);
    expect((await ledger.claim(key)).kind).toBe('busy');
    clock.advance(2_000);
    const second = await ledger.claim(key);
    expect(second).toMatchObject({ kind: 'claimed', entity: { attempts: 2, status: 'pending' } });
    // The first claimant's lease is no longer the row's: it cannot release the new one.
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    expect(await ledger.release(first)).toBe(false);
    expect((await ledger.claim(key)).kind).toBe('busy');
  });

  it('lets the claimant release its lease, so a retry claims at once', async () => {
    const key = keyOf(newTenant());
    const claim = await ledger.claim(key);
    if (claim.kind !== 'claimed') throw new Error('expected a claim');
    expect(await ledger.release(claim, 429)).toBe(true);
    const row = await storage.repositories.deliveries.get(key);
    expect(row).toMatchObject({ status: 'pending', lastStatus: 429 });
    expect(row?.leaseUntil).toBeUndefined();
    expect(await ledger.claim(key)).toMatchObject({ kind: 'claimed', entity: { attempts: 2 } });
  });

  const ledgerOver = (replaced: Partial<LedgerRepository> = {}) => {
    const { counted, calls } = counting(storage.repositories.deliveries, replaced);
    return { ledger: new DeliveryLedger({ repository: counted, clock, leaseSeconds: 60 }), calls };
  };
  const issuesOf = (tenantId: string, count: number, internetMessageId = '<m/1+2@example.test>') =>
    Array.from({ length: count }, (_, i) => ({ ...keyOf(tenantId), internetMessageId, issueKey: `DEMO-${i + 1}` }));

  it("claims a new mail's issues in one table transaction, from two issues up to the service's 100", async () => {
    for (const count of [2, 100]) {
      const { ledger: counted, calls } = ledgerOver();
      const claims = await counted.claimAll(issuesOf(newTenant(), count));
      expect(claims.filter((claim) => claim.kind === 'claimed')).toHaveLength(count);
      expect(calls).toMatchObject({ insertAll: 1, insert: 0 });
    }
  });

  it('claims 101 issues of one mail, or the issues of two mails, one by one: a transaction holds 100 rows of one partition', async () => {
    const tenantId = newTenant();
    for (const keys of [issuesOf(tenantId, 101), [...issuesOf(tenantId, 2, '<a@x>'), ...issuesOf(tenantId, 2, '<b@x>')]]) {
      const { ledger: counted, calls } = ledgerOver();
      const claims = await counted.claimAll(keys);
      expect(claims.map((claim) => claim.kind)).toEqual(keys.map(() => 'claimed'));
      expect(calls).toMatchObject({ insertAll: 0, insert: keys.length });
    }
  });

  it('extends a claim only when its lease is shorter than asked: no request while it covers', async () => {
    const { ledger: counted, calls } = ledgerOver();
    const key = keyOf(newTenant());
    const claim = await counted.claim(key);
    if (claim.kind !== 'claimed') throw new Error('expected a claim');
    expect(await counted.extend(claim, 60_000)).toBe(claim);
    expect(calls).toMatchObject({ getVersioned: 0, update: 0 });
    clock.advance(50_000);
    const renewed = await counted.extend(claim, 20_000, 90_000);
    expect(calls).toMatchObject({ getVersioned: 1, update: 1 });
    expect(renewed?.entity.leaseUntil).toBe(new Date(clock.now() + 90_000).toISOString());
    // The row carries the renewed lease: a copy arriving after the first lease's end is busy.
    clock.advance(20_000);
    expect(await counted.claim(key)).toMatchObject({ kind: 'busy', leaseUntil: renewed?.entity.leaseUntil });
    // Renewed for at least the configured lease, however little is asked.
    clock.advance(60_000);
    const again = await counted.extend(renewed!, 20_000);
    expect(again?.entity.leaseUntil).toBe(new Date(clock.now() + 60_000).toISOString());
    // The renewed claim is the one that records and releases; the first no longer names the row.
    expect(await counted.release(claim)).toBe(false);
    expect(await counted.release(again!)).toBe(true);
  });

  it('does not extend a claim another copy took over or finished: that copy sends, not this one', async () => {
    const key = keyOf(newTenant());
    const first = await ledger.claim(key);
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    clock.advance(61_000);
    const second = await ledger.claim(key);
    if (second.kind !== 'claimed') throw new Error('expected a takeover');
    expect(await ledger.extend(first, 30_000)).toBeUndefined();
    await ledger.complete(second, { status: 'sent' });
    clock.advance(61_000);
    expect(await ledger.extend(second, 30_000)).toBeUndefined();
    expect(await storage.repositories.deliveries.get(key)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('renews a lease that ran out when no other copy took the row: none can have sent', async () => {
    const key = keyOf(newTenant());
    const claim = await ledger.claim(key);
    if (claim.kind !== 'claimed') throw new Error('expected a claim');
    clock.advance(61_000);
    const renewed = await ledger.extend(claim, 30_000);
    expect(renewed).toMatchObject({ kind: 'claimed', entity: { attempts: 1, status: 'pending' } });
    expect((await ledger.claim(key)).kind).toBe('busy');
  });

  it('loses the renewal to a copy that takes the row over between its read and its write', async () => {
    const key = keyOf(newTenant());
    const claim = await ledger.claim(key);
    if (claim.kind !== 'claimed') throw new Error('expected a claim');
    clock.advance(61_000);
    const racing = new DeliveryLedger({
      repository: counting(storage.repositories.deliveries, {
        update: async (entity, etag) => {
          // Another copy's takeover lands first: the renewal's ETag is stale.
          expect((await ledger.claim(key)).kind).toBe('claimed');
          return storage.repositories.deliveries.update(entity, etag);
        },
      }).counted,
      clock,
      leaseSeconds: 60,
    });
    expect(await racing.extend(claim, 30_000)).toBeUndefined();
    expect(await storage.repositories.deliveries.get(key)).toMatchObject({ attempts: 2 });
  });

  it('claims one issue with one insert, and a copy of it costs an insert and a read', async () => {
    const { ledger: counted, calls } = ledgerOver();
    const key = keyOf(newTenant());
    expect((await counted.claimAll([key])).map((claim) => claim.kind)).toEqual(['claimed']);
    expect((await counted.claimAll([key])).map((claim) => claim.kind)).toEqual(['busy']);
    expect(calls).toEqual({ insert: 2, insertAll: 0, getVersioned: 1, update: 0, upsert: 0, upsertAll: 0, listByMessage: 0 });
    expect(await counted.claimAll([])).toEqual([]);
  });

  it("settles a known mail's issues from one read: done, busy, a lease ending exactly now, a new issue", async () => {
    const tenantId = newTenant();
    const [d1, d2, d3, d4] = ['DEMO-1', 'DEMO-2', 'DEMO-3', 'DEMO-4'].map((issueKey) => ({ ...keyOf(tenantId), issueKey }));
    const [one] = await ledger.claimAll([d1!, d2!]);
    if (one?.kind !== 'claimed') throw new Error('expected a claim');
    await ledger.completeAll([{ claim: one, outcome: { status: 'sent', lastStatus: 204 } }]);
    clock.advance(30_000);
    expect((await ledger.claim(d4!)).kind).toBe('claimed');
    // DEMO-2's lease ends exactly now; DEMO-4's runs another 30 s; DEMO-3 has no row yet.
    clock.advance(30_000);

    const { ledger: counted, calls } = ledgerOver();
    const claims = await counted.claimAll([d1!, d2!, d3!, d4!]);

    // Each issue by its own row: a new issue of a mail whose other rows are done or leased is still claimed.
    expect(claims.map((claim) => claim.kind)).toEqual(['done', 'claimed', 'claimed', 'busy']);
    expect(claims[1]).toMatchObject({ entity: { attempts: 2 } });
    // The failed transaction, one read of the mail's rows, then only DEMO-2's takeover and DEMO-3's insert.
    expect(calls).toEqual({ insert: 2, insertAll: 1, getVersioned: 1, update: 1, upsert: 0, upsertAll: 0, listByMessage: 1 });
  });

  it('takes over a lease that ends exactly now', async () => {
    const key = keyOf(newTenant());
    expect((await ledger.claim(key)).kind).toBe('claimed');
    clock.advance(60_000);
    expect(await ledger.claim(key)).toMatchObject({ kind: 'claimed', entity: { attempts: 2 } });
  });

  it('answers busy, with the lease it lost to, after four takeovers lost to other copies', async () => {
    const key = keyOf(newTenant());
    const first = await ledger.claim(key);
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    clock.advance(61_000);
    const { ledger: losing, calls } = ledgerOver({ update: () => Promise.resolve(false) });
    expect(await losing.claim(key)).toEqual({ kind: 'busy', leaseUntil: first.entity.leaseUntil });
    expect(calls.update).toBe(4);
  });

  it('answers busy for a full lease when the row vanishes after each insert lost to it', async () => {
    const { ledger: chasing, calls } = ledgerOver({ insert: () => Promise.resolve(false), getVersioned: () => Promise.resolve(undefined) });
    expect(await chasing.claim(keyOf(newTenant()))).toEqual({ kind: 'busy', leaseUntil: new Date(clock.now() + 60_000).toISOString() });
    expect(calls).toMatchObject({ insert: 4, getVersioned: 4 });
  });

  it('releases nothing when the row is gone, or finished though it still names the lease', async () => {
    const key = keyOf(newTenant());
    const claim = await ledger.claim(key);
    if (claim.kind !== 'claimed') throw new Error('expected a claim');
    const { ledger: blind } = ledgerOver({ getVersioned: () => Promise.resolve(undefined) });
    expect(await blind.release(claim)).toBe(false);
    // A finished row written with the lease still on it (by an older writer): never reopened.
    await storage.repositories.deliveries.upsert({ ...claim.entity, status: 'sent', lastStatus: 204 });
    expect(await ledger.release(claim, 429)).toBe(false);
    expect(await storage.repositories.deliveries.get(key)).toMatchObject({ status: 'sent', lastStatus: 204 });
  });

  it('records the outcome as given: status, Jira status, reason, watchers, recipients', async () => {
    const key = keyOf(newTenant());
    const claim = await ledger.claim(key);
    if (claim.kind !== 'claimed') throw new Error('expected a claim');
    await ledger.complete(claim, { status: 'sent', lastStatus: 204, watchers: 3, recipients: ['ann', 'bob'] });
    const row = await storage.repositories.deliveries.get(key);
    expect(row).toMatchObject({ status: 'sent', lastStatus: 204, watchers: 3, recipients: ['ann', 'bob'] });
    expect(row?.reason).toBeUndefined();
    expect(row?.leaseUntil).toBeUndefined();
  });
});

describe('DeliveryLedger.complete when storage fails', () => {
  const key = { tenantId: 't', internetMessageId: '<m@x>', instanceId: 'demo', issueKey: 'DEMO-1' };

  /** A repository whose writes fail as given (then succeed) and land in `written`. */
  function ledgerRepository(written: DeliveryEntity[], failures: Error[] = []): LedgerRepository {
    const refuse = () => Promise.reject(new Error('not used by complete'));
    return {
      insert: refuse,
      insertAll: refuse,
      getVersioned: refuse,
      update: refuse,
      listByMessage: () => {
        throw new Error('not used by complete');
      },
      upsert: async (entity) => {
        const failure = failures.shift();
        if (failure !== undefined) throw failure;
        written.push(entity);
      },
      upsertAll: async (entities) => {
        const failure = failures.shift();
        if (failure !== undefined) throw failure;
        written.push(...entities);
      },
    };
  }

  /** A ledger over `ledgerRepository` whose waits move its clock. */
  function ledgerWith(failures: Error[]) {
    const clock = new ManualClock();
    const written: DeliveryEntity[] = [];
    const waits: number[] = [];
    const repository = ledgerRepository(written, failures);
    const ledger = new DeliveryLedger({
      repository,
      clock,
      leaseSeconds: 30,
      sleep: async (ms) => {
        waits.push(ms);
        clock.advance(ms);
      },
    });
    const now = clock.now();
    const claim: ClaimedDelivery = {
      kind: 'claimed',
      entity: {
        ...key,
        status: 'pending',
        attempts: 1,
        createdAt: new Date(now).toISOString(),
        updatedAt: new Date(now).toISOString(),
        leaseUntil: new Date(now + 30_000).toISOString(),
      },
    };
    return { ledger, claim, written, waits };
  }
  const unavailable = () => new AppError({ code: 'storage_unavailable', detail: 'no answer from storage' });

  it('tries the write again with backoff until storage is back', async () => {
    const { ledger, claim, written, waits } = ledgerWith([unavailable(), unavailable(), unavailable()]);
    const entity = await ledger.complete(claim, { status: 'sent', lastStatus: 204 });
    expect(waits).toEqual([500, 1000, 2000]);
    expect(written).toEqual([entity]);
    expect(entity).toMatchObject({ status: 'sent', lastStatus: 204 });
    expect(entity.leaseUntil).toBeUndefined();
  });

  it('gives up when the lease is over: another copy may hold the row by then', async () => {
    const { ledger, claim, written, waits } = ledgerWith(Array.from({ length: 100 }, unavailable));
    await expect(ledger.complete(claim, { status: 'sent', lastStatus: 204 })).rejects.toMatchObject({ code: 'storage_unavailable' });
    expect(written).toEqual([]);
    expect(waits.reduce((sum, ms) => sum + ms, 0)).toBe(30_000);
    expect(Math.max(...waits)).toBe(8000);
  });

  it('retries the write of several claims together, within the lease', async () => {
    const { ledger, claim, written, waits } = ledgerWith([unavailable()]);
    const other: ClaimedDelivery = { kind: 'claimed', entity: { ...claim.entity, issueKey: 'DEMO-2' } };
    const entities = await ledger.completeAll([
      { claim, outcome: { status: 'sent', lastStatus: 204 } },
      { claim: other, outcome: { status: 'failed', reason: 'issue_not_found' } },
    ]);
    expect(waits).toEqual([500]);
    expect(written).toEqual(entities);
    expect(entities.map((entity) => [entity.issueKey, entity.status])).toEqual([
      ['DEMO-1', 'sent'],
      ['DEMO-2', 'failed'],
    ]);
  });

  it('does not retry a write storage refused for what it is', async () => {
    const { ledger, claim, waits } = ledgerWith([new AppError({ code: 'storage_request_failed', detail: 'storage answered 400' })]);
    await expect(ledger.complete(claim, { status: 'failed', reason: 'issue_not_found' })).rejects.toMatchObject({
      code: 'storage_request_failed',
    });
    expect(waits).toEqual([]);
  });

  it('writes the claims of one mail in one transaction, 101 or those of two mails one by one', async () => {
    const { ledger, claim, written } = ledgerWith([]);
    const of = (issueKey: string, internetMessageId = key.internetMessageId): ClaimedDelivery => ({
      kind: 'claimed',
      entity: { ...claim.entity, internetMessageId, issueKey },
    });
    const sent = { status: 'sent', lastStatus: 204 } as const;
    const batches: number[] = [];
    const counted = new DeliveryLedger({
      repository: {
        ...ledgerRepository(written),
        upsertAll: async (entities) => {
          batches.push(entities.length);
          written.push(...entities);
        },
      },
      clock: new ManualClock(),
      leaseSeconds: 30,
    });
    expect(await ledger.completeAll([])).toEqual([]);
    await counted.completeAll(Array.from({ length: 100 }, (_, i) => ({ claim: of(`DEMO-${i}`), outcome: sent })));
    expect(batches).toEqual([100]);
    await counted.completeAll(Array.from({ length: 101 }, (_, i) => ({ claim: of(`DEMO-${i}`), outcome: sent })));
    await counted.completeAll([
      { claim: of('DEMO-1', '<a@x>'), outcome: sent },
      { claim: of('DEMO-1', '<b@x>'), outcome: sent },
    ]);
    expect(batches).toEqual([100]);
    expect(written).toHaveLength(100 + 101 + 2);
  });

  it('retries the write of several claims only until the earliest of their leases ends', async () => {
    const { ledger, claim, waits } = ledgerWith(Array.from({ length: 100 }, unavailable));
    const longer: ClaimedDelivery = {
      kind: 'claimed',
      entity: { ...claim.entity, issueKey: 'DEMO-2', leaseUntil: new Date(Date.parse(claim.entity.leaseUntil) + 60_000).toISOString() },
    };
    await expect(
      ledger.completeAll([
        { claim: longer, outcome: { status: 'sent' } },
        { claim, outcome: { status: 'sent' } },
      ]),
    ).rejects.toMatchObject({ code: 'storage_unavailable' });
    expect(waits.reduce((sum, ms) => sum + ms, 0)).toBe(30_000);
  });

  it('gives up on the claims of two mails, each when its lease is over', async () => {
    const { ledger, claim, written } = ledgerWith(Array.from({ length: 200 }, unavailable));
    const otherMail: ClaimedDelivery = { kind: 'claimed', entity: { ...claim.entity, internetMessageId: '<other@x>' } };
    await expect(
      ledger.completeAll([
        { claim, outcome: { status: 'sent' } },
        { claim: otherMail, outcome: { status: 'sent' } },
      ]),
    ).rejects.toMatchObject({ code: 'storage_unavailable' });
    expect(written).toEqual([]);
  });

  it('waits between tries in real time when no sleep is given', async () => {
    jest.useFakeTimers({ now: Date.parse('2030-01-01T00:00:00.000Z') });
    try {
      const failures = [unavailable()];
      const written: DeliveryEntity[] = [];
      const repository = ledgerRepository(written, failures);
      const ledger = new DeliveryLedger({ repository, clock: { now: () => Date.now() }, leaseSeconds: 30 });
      const { claim } = ledgerWith([]);
      const done = ledger.complete(claim, { status: 'sent' });
      await jest.advanceTimersByTimeAsync(499);
      expect(written).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      await done;
      expect(written).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });
});
