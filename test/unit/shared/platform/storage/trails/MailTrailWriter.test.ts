import type { MailTrailEntity } from '../../../../../../shared/platform/storage/trails/mailTrailEntity';
import { MailTrailWriter } from '../../../../../../shared/platform/storage/trails/MailTrailWriter';
import { newTenant, startFanoutTestStorage, type FanoutTestStorage } from '../../../mail/fanout/fanoutTestStorage';

describe('MailTrailWriter against Azurite', () => {
  let storage: FanoutTestStorage;

  beforeAll(async () => {
    storage = await startFanoutTestStorage();
  });
  afterAll(() => storage?.stop());

  const row = (tenantId: string, messageId: string, outcome: MailTrailEntity['outcome'] = 'matched'): MailTrailEntity => ({
    tenantId,
    userId: 'user-1',
    messageId,
    subscriptionId: 'sub-1',
    receivedAt: '2030-01-01T00:00:00.000Z',
    internetMessageId: `<${messageId}@example.test>`,
    conversationId: 'conv-1',
    outcome,
    ...(outcome === 'dropped' ? { reason: 'notLinked' as const } : {}),
    issues: outcome === 'matched' ? [{ instanceId: 'demo', issueKey: 'DEMO-1', state: 'queued' }] : [],
    updatedAt: '2030-01-01T00:00:01.000Z',
  });

  /** The `trails` writes made while `run` ran, by kind. */
  async function trailRequests(run: () => Promise<unknown>): Promise<Record<string, number>> {
    const before = storage.storageRequests.snapshot();
    await run();
    const after = storage.storageRequests.snapshot();
    return Object.fromEntries(
      Object.entries(after)
        .filter(([key]) => key.includes('trails') && !key.startsWith('GET'))
        .map(([key, count]) => [key, count - (before[key] ?? 0)] as const)
        .filter(([, count]) => count > 0),
    );
  }

  const stored = (entity: MailTrailEntity) => storage.repositories.trails.get(entity);

  it('writes a lone mail’s row as the one upsert it always was, stored when the call resolves', async () => {
    const writer = new MailTrailWriter({ repository: storage.repositories.trails });
    const one = row(newTenant(), 'AAMk-lone');
    expect(await trailRequests(() => writer.upsert(one))).toEqual({ 'PUT trails': 1 });
    expect(await stored(one)).toEqual(one);
  });

  it('writes the rows of mails handled side by side in one transaction per tenant, each call resolved once its row is stored', async () => {
    const writer = new MailTrailWriter({ repository: storage.repositories.trails });
    const [a, b] = [newTenant(), newTenant()];
    const rows = [
      row(a, 'AAMk-1'),
      row(a, 'AAMk-2'),
      row(a, 'AAMk-3', 'dropped'),
      row(a, 'AAMk-4'),
      row(b, 'AAMk-5'),
      row(b, 'AAMk-6'),
      row(b, 'AAMk-7'),
    ];
    const requests = await trailRequests(() =>
      Promise.all(
        rows.map(async (entity) => {
          await writer.upsert(entity);
          // Resolved means stored: the fan-out acknowledges its message after this.
          expect(await stored(entity)).toEqual(entity);
        }),
      ),
    );
    // Per tenant: the first row goes at once, the others waited for it and went together.
    expect(requests).toEqual({ 'PUT trails': 2, 'POST trails/$batch': 2 });
  });

  it('keeps the later row of a mail handled twice at once: a transaction may not name a row twice', async () => {
    const writer = new MailTrailWriter({ repository: storage.repositories.trails });
    const tenantId = newTenant();
    const first = row(tenantId, 'AAMk-first');
    const dropped = row(tenantId, 'AAMk-twice', 'dropped');
    const matched = { ...row(tenantId, 'AAMk-twice'), updatedAt: '2030-01-01T00:00:02.000Z' };
    await Promise.all([writer.upsert(first), writer.upsert(dropped), writer.upsert(matched)]);
    expect(await stored(matched)).toEqual(matched);
  });

  it('fails each row of a write storage refused, and writes the rows that came after', async () => {
    const written: MailTrailEntity[][] = [];
    const failures = [new Error('storage down')];
    const writer = new MailTrailWriter({
      repository: {
        upsertAll: async (entities) => {
          const failure = failures.shift();
          if (failure) throw failure;
          written.push([...entities]);
        },
      },
    });
    const tenantId = newTenant();
    const settled = await Promise.allSettled([writer.upsert(row(tenantId, 'AAMk-a')), writer.upsert(row(tenantId, 'AAMk-b'))]);
    expect(settled.map((result) => result.status)).toEqual(['rejected', 'fulfilled']);
    expect(written.map((rows) => rows.map((entity) => entity.messageId))).toEqual([['AAMk-b']]);
  });
});
