import { DeliveryLedger, type ClaimedDelivery, type DeliveryLedgerInit } from '../../../../../shared/mail/fanout/DeliveryLedger';
import { AppError } from '../../../../../shared/platform/errors/AppError';
import type { DeliveryEntity } from '../../../../../shared/platform/storage/deliveries/deliveryEntity';
import { ManualClock, newTenant, startFanoutTestStorage, type FanoutTestStorage } from './fanoutTestStorage';

describe('DeliveryLedger against Azurite', () => {
  let storage: FanoutTestStorage;
  const clock = new ManualClock();
  let ledger: DeliveryLedger;
  const keyOf = (tenantId: string) => ({ tenantId, internetMessageId: '<m/1+2@example.test>', instanceId: 'demo', issueKey: 'DEMO-1' });

  beforeAll(async () => {
    storage = await startFanoutTestStorage();
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
});

describe('DeliveryLedger.complete when storage fails', () => {
  const key = { tenantId: 't', internetMessageId: '<m@x>', instanceId: 'demo', issueKey: 'DEMO-1' };

  /** A repository whose writes fail as given (then succeed), and a ledger whose waits move its clock. */
  function ledgerWith(failures: Error[]) {
    const clock = new ManualClock();
    const written: DeliveryEntity[] = [];
    const waits: number[] = [];
    const refuse = () => Promise.reject(new Error('not used by complete'));
    const repository: DeliveryLedgerInit['repository'] = {
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
});
