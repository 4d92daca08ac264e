import { InvocationContext, type Timer } from '@azure/functions';
import { startAzurite, type RunningAzurite } from '../../../dev/azurite';
import { functionTable } from '../../../functions/functionTable';
import { loadConfig } from '../../../shared/platform/config/loadConfig';
import { createServices } from '../../../functions/compose';
import type { Services } from '../../../functions/Services';
import { ensureStorage } from '../../../shared/platform/storage/ensureStorage';

describe('pruneDeliveries (timer, daily)', () => {
  let azurite: RunningAzurite;
  let services: Services;
  const now = Date.parse('2030-06-01T03:17:00Z');

  beforeAll(async () => {
    azurite = await startAzurite();
    services = createServices({
      clock: { now: () => now },
      config: loadConfig({
        AzureWebJobsStorage: azurite.connectionString,
        DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 5).toString('base64')}`,
        PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
        API_AUDIENCE: 'api://prune-test',
        GRAPH_CLIENT_ID: '00000000-0000-4000-8000-000000000005',
        GRAPH_CLIENT_SECRET: 'test-only',
        DELIVERY_RETENTION: '7d',
      }),
    });
    await ensureStorage(services);
  });
  afterAll(async () => {
    await services?.http.close();
    await azurite?.stop();
  });

  it('is a daily timer of the function table that deletes records older than DELIVERY_RETENTION', async () => {
    const row = functionTable.find((definition) => definition.name === 'pruneDeliveries');
    if (row?.kind !== 'timer') throw new Error('pruneDeliveries is not a timer row');
    expect(row.schedule).toBe('0 17 3 * * *');

    const at = (days: number) => new Date(now - days * 86_400_000).toISOString();
    for (const [issueKey, days] of [
      ['OLD-1', 8],
      ['OLD-2', 30],
      ['NEW-1', 6],
    ] as const) {
      await services.repositories.deliveries.insert({
        tenantId: 't1',
        internetMessageId: `<${issueKey}@x>`,
        instanceId: 'demo',
        issueKey,
        status: 'sent',
        attempts: 1,
        createdAt: at(days),
        updatedAt: at(days),
      });
    }
    const lines: string[] = [];
    const context = new InvocationContext({
      functionName: 'pruneDeliveries',
      logHandler: (_level, ...args) => void lines.push(args.join(' ')),
    });
    await row.handler({ isPastDue: false, scheduleStatus: { last: '', next: '', lastUpdated: '' } } as Timer, context, services);

    expect(lines).toEqual(['pruned 2 delivery record(s)']);
    const { items } = await services.repositories.deliveries.listByTenantPage('t1');
    expect(items.map((entity) => entity.issueKey)).toEqual(['NEW-1']);
  });
});
