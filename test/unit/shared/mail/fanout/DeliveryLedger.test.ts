import { DeliveryLedger } from '../../../../../shared/mail/fanout/DeliveryLedger';
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
