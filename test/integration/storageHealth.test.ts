import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import { startAzurite, type RunningAzurite } from '../../dev/azurite';
import { health } from '../../functions/health';
import { loadConfig } from '../../shared/platform/config/loadConfig';
import type { AppError } from '../../shared/platform/errors/AppError';
import { createServices } from '../../functions/compose';
import { createRepositories } from '../../shared/platform/storage/createRepositories';
import { ensureStorage } from '../../shared/platform/storage/ensureStorage';
import { QueueClientFactory } from '../../shared/platform/storage/QueueClientFactory';
import { queueNames } from '../../shared/platform/storage/queueNames';
import { QueueSender } from '../../shared/platform/storage/QueueSender';
import { StorageHealth } from '../../shared/platform/storage/StorageHealth';
import { TableClientFactory } from '../../shared/platform/storage/TableClientFactory';

describe('StorageHealth against Azurite', () => {
  let azurite: RunningAzurite;
  beforeAll(async () => (azurite = await startAzurite()));
  afterAll(() => azurite.stop());

  it('reports ok while Azurite answers, unavailable once it is gone, and storage calls fail as unavailable', async () => {
    const target = { kind: 'connectionString' as const, connectionString: azurite.connectionString };
    // Short retries, so that the calls below give up quickly once Azurite is gone.
    const tableClients = new TableClientFactory({ target, retryOptions: { maxRetries: 1, retryDelayInMs: 50, maxRetryDelayInMs: 50 } });
    const queueClients = new QueueClientFactory({ target, retryOptions: { maxTries: 2, retryDelayInMs: 50, maxRetryDelayInMs: 50 } });
    await ensureStorage({ tableClients, queueClients });
    const storageHealth = new StorageHealth({ target, timeoutMs: 2000, retryDelayMs: 50 });
    expect(await storageHealth.check()).toEqual({ ok: true, checks: { tables: 'ok', queues: 'ok' } });

    await azurite.stop();
    expect(await storageHealth.check()).toEqual({ ok: false, checks: { tables: 'unavailable', queues: 'unavailable' } });

    const repositories = createRepositories(tableClients);
    const readError = (await repositories.instances.get({ tenantId: 't', instanceId: 'i' }).catch((error: unknown) => error)) as AppError;
    expect(readError.code).toBe('storage_unavailable');
    const sendError = (await new QueueSender({ queues: queueClients })
      .send(queueNames.jiraNotify, { a: 1 })
      .catch((error: unknown) => error)) as AppError;
    expect(sendError.code).toBe('storage_unavailable');
  });

  it('reports tables unavailable when they were never created', async () => {
    const other = await startAzurite();
    try {
      const target = { kind: 'connectionString' as const, connectionString: other.connectionString };
      const result = await new StorageHealth({ target, retryDelayMs: 50 }).check();
      expect(result).toEqual({ ok: false, checks: { tables: 'unavailable', queues: 'unavailable' } });
    } finally {
      await other.stop();
    }
  });
});

describe('GET /api/health', () => {
  let azurite: RunningAzurite;
  beforeAll(async () => (azurite = await startAzurite()));
  afterAll(() => azurite.stop());

  const call = async (services: ReturnType<typeof createServices>) => {
    const request = new HttpRequest({ method: 'GET', url: 'http://localhost/api/health' });
    const context = new InvocationContext({ functionName: 'health' });
    const response = new HttpResponse(await health(request, context, services));
    return { status: response.status, body: await response.json(), contentType: response.headers.get('content-type') };
  };

  it('answers 200 while storage answers and 503 once Azurite stops', async () => {
    const services = createServices({
      config: loadConfig({
        AzureWebJobsStorage: azurite.connectionString,
        DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
        PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
        API_AUDIENCE: 'api://jira-outlook-cloud-test',
        GRAPH_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
        GRAPH_CLIENT_SECRET: 'not-a-real-secret',
      }),
    });
    await ensureStorage(services);

    const up = await call(services);
    expect(up).toEqual({
      status: 200,
      body: { status: 'ok', checks: { tables: 'ok', queues: 'ok' } },
      contentType: 'application/json; charset=utf-8',
    });

    await azurite.stop();
    const down = await call(services);
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ status: 'unavailable', checks: { tables: 'unavailable', queues: 'unavailable' } });
  });
});
