import { DeliveryLedger } from '../../shared/mail/fanout/DeliveryLedger';
import type { DeliveryKey } from '../../shared/platform/storage/deliveries/deliveryEntity';
import { countMailRun, ledgerSentLine, pairKey, parseLedgerSentLine, type MailRunEvidence, type SentMail } from '../support/mailRunCounts';
import { watchLedgerSent } from '../support/watchLedgerSent';
import { ManualClock, newTenant, startFanoutTestStorage } from '../unit/shared/mail/fanout/fanoutTestStorage';

/** The chaos runs' verdicts come from this count: it must tell lost from poisoned and a crash-window duplicate from any other. */

const mail = (index: number, issues: string[]): SentMail => ({
  tag: `chaos-${String(index).padStart(6, '0')}`,
  mailId: `m${index}`,
  internetMessageId: `<${index}@x>`,
  issues,
});
const entry = (index: number, issueKey: string) => ({
  issueKey,
  subject: `[${issueKey}] New e-mail: Weekly status [chaos-${String(index).padStart(6, '0')}]`,
});

function evidence(overrides: Partial<MailRunEvidence>): MailRunEvidence {
  const mails = [mail(0, ['CH-1']), mail(1, ['CH-2', 'CH-3']), mail(2, [])];
  return {
    mails,
    acknowledged: new Set(mails.map((m) => m.mailId)),
    outbox: [entry(0, 'CH-1'), entry(1, 'CH-2'), entry(1, 'CH-3')],
    poisonedMails: new Set(),
    poisonedPairs: new Set(),
    ledgerSent: new Map([
      [pairKey('<0@x>', 'CH-1'), 1],
      [pairKey('<1@x>', 'CH-2'), 1],
      [pairKey('<1@x>', 'CH-3'), 1],
    ]),
    ...overrides,
  };
}

describe('countMailRun', () => {
  it('a clean run: every pair notified once', () => {
    expect(countMailRun(evidence({}))).toEqual({
      sent: 3,
      acknowledged: 3,
      expected: 3,
      notified: 3,
      duplicated: 0,
      crashWindow: 0,
      otherDuplicates: 0,
      poisoned: 0,
      lost: 0,
      unacknowledged: 0,
      unexpected: 0,
    });
  });

  it('a pair nobody notified is lost, unless its message is in poison or Graph never got a 2xx', () => {
    const outbox = [entry(0, 'CH-1'), entry(1, 'CH-2')];
    expect(countMailRun(evidence({ outbox }))).toMatchObject({ notified: 2, lost: 1 });
    expect(countMailRun(evidence({ outbox, poisonedPairs: new Set([pairKey('<1@x>', 'CH-3')]) }))).toMatchObject({ lost: 0, poisoned: 1 });
    expect(countMailRun(evidence({ outbox, poisonedMails: new Set(['m1']) }))).toMatchObject({ lost: 0, poisoned: 1 });
    expect(countMailRun(evidence({ outbox, acknowledged: new Set(['m0', 'm2']) }))).toMatchObject({
      lost: 0,
      unacknowledged: 1,
      expected: 1,
    });
  });

  it('a second notification the ledger never recorded is the crash window; one it recorded twice is not', () => {
    const outbox = [entry(0, 'CH-1'), entry(0, 'CH-1'), entry(1, 'CH-2'), entry(1, 'CH-3')];
    expect(countMailRun(evidence({ outbox }))).toMatchObject({ duplicated: 1, crashWindow: 1, otherDuplicates: 0 });
    const ledgerSent = new Map([[pairKey('<0@x>', 'CH-1'), 2]]);
    expect(countMailRun(evidence({ outbox, ledgerSent }))).toMatchObject({ duplicated: 1, crashWindow: 0, otherDuplicates: 1 });
  });

  it('a notification for an unlinked conversation or an unknown mail is unexpected', () => {
    const outbox = [...evidence({}).outbox, entry(2, 'CH-9'), { issueKey: 'CH-1', subject: 'no tag at all' }];
    expect(countMailRun(evidence({ outbox }))).toMatchObject({ unexpected: 2, notified: 3 });
  });

  it('reads back the ledger lines a worker prints, and nothing else', () => {
    const line = ledgerSentLine({ tenantId: 't', internetMessageId: '<a b@c>', instanceId: 'demo', issueKey: 'CH-1' });
    expect(parseLedgerSentLine(line)).toBe(pairKey('<a b@c>', 'CH-1'));
    expect(parseLedgerSentLine('ready')).toBeUndefined();
  });

  it('a digest counts each mail it lists as notified, and its subject as none', () => {
    const digest = {
      issueKey: 'CH-1',
      subject: '[CH-1] 2 new e-mails in Weekly status [chaos-000000]',
      textBody: [
        '2 new e-mails in a conversation linked to CH-1: Weekly status [chaos-000000]',
        '',
        '- 2030-01-01 00:00 UTC a@x: Weekly status [chaos-000003]',
        '- 2030-01-01 00:00 UTC a@x: Weekly status [chaos-000004]',
      ].join('\n'),
    };
    const mails = [mail(0, ['CH-1']), mail(3, ['CH-1']), mail(4, ['CH-1']), mail(5, ['CH-1'])];
    const counts = countMailRun(
      evidence({ mails, acknowledged: new Set(mails.map((m) => m.mailId)), outbox: [entry(0, 'CH-1'), digest], ledgerSent: new Map() }),
    );
    expect(counts).toMatchObject({ expected: 4, notified: 3, duplicated: 0, lost: 1, unexpected: 0 });
  });
});

describe('watchLedgerSent over the real ledger and Azurite', () => {
  it('counts each sent write once: a one-issue mail (a lone row through upsertAll) and a three-issue mail', async () => {
    const storage = await startFanoutTestStorage();
    try {
      const deliveries = storage.repositories.deliveries;
      const seen: string[] = [];
      watchLedgerSent(deliveries, (entity) => seen.push(`${entity.internetMessageId} ${entity.issueKey}`));
      const ledger = new DeliveryLedger({ repository: deliveries, clock: new ManualClock(), leaseSeconds: 60 });
      const tenantId = newTenant();
      const keys = (id: string, issues: string[]): DeliveryKey[] =>
        issues.map((issueKey) => ({ tenantId, internetMessageId: id, instanceId: 'demo', issueKey }));
      for (const mailKeys of [keys('<one@x>', ['CH-1']), keys('<three@x>', ['CH-2', 'CH-3', 'CH-4'])]) {
        const claims = await ledger.claimAll(mailKeys);
        await ledger.completeAll(
          claims.map((claim) => ({ claim: claim as Extract<typeof claim, { kind: 'claimed' }>, outcome: { status: 'sent' } })),
        );
      }
      // Before: `<one@x> CH-1` twice (upsertAll's lone row goes through the watched upsert too).
      expect(seen.sort()).toEqual(['<one@x> CH-1', '<three@x> CH-2', '<three@x> CH-3', '<three@x> CH-4']);
    } finally {
      await storage.stop();
    }
  }, 60_000);
});
