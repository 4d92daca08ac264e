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
      getVersioned: refuse,
      update: refuse,
      upsert: async (entity) => {
        const failure = failures.shift();
        if (failure !== undefined) throw failure;
        written.push(entity);
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

  it('does not retry a write storage refused for what it is', async () => {
    const { ledger, claim, waits } = ledgerWith([new AppError({ code: 'storage_request_failed', detail: 'storage answered 400' })]);
    await expect(ledger.complete(claim, { status: 'failed', reason: 'issue_not_found' })).rejects.toMatchObject({
      code: 'storage_request_failed',
    });
    expect(waits).toEqual([]);
  });
});
