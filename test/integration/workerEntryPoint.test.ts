import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAzurite, type RunningAzurite } from '../../dev/azurite';
import { formatFunctionError, hostFunctionErrors } from '../../dev/host/validateFunctionTable';
import { createServices } from '../../functions/compose';
import { functionTable } from '../../functions/functionTable';
import { bundleApp } from '../../scripts/bundleApp';
import { loadConfig } from '../../shared/platform/config/loadConfig';
import { ensureStorage } from '../../shared/platform/storage/ensureStorage';
import { loadLikeTheWorker, registeredHostFunctions } from '../support/functionsWorkerStandIn';
import { templateAppSettings } from '../support/templateAppSettings';

const root = path.join(__dirname, '../..');

describe('the built entry point (package.json main, the bundle), loaded as the Functions worker loads it', () => {
  let appDir: string;

  beforeAll(async () => {
    // The app folder as the worker sees it: package.json, host.json and the bundle. No
    // node_modules: the bundle must not need one.
    appDir = await mkdtemp(path.join(tmpdir(), 'worker-entry-'));
    await bundleApp(root, appDir);
    await copyFile(path.join(root, 'package.json'), path.join(appDir, 'package.json'));
    await copyFile(path.join(root, 'host.json'), path.join(appDir, 'host.json'));
  }, 20 * 60_000);

  afterAll(async () => {
    await rm(appDir, { recursive: true, force: true });
  });

  it("registers every function of the table with only the template's settings, and the host refuses none", async () => {
    expect((await readdir(appDir)).sort()).toEqual(['dist', 'host.json', 'package.json']);
    const load = await loadLikeTheWorker(appDir, templateAppSettings());

    expect({ loadError: load.loadError, stderr: load.stderr }).toEqual({ loadError: null, stderr: '' });
    expect(load.programmingModel?.name).toBe('@azure/functions');
    const registered = registeredHostFunctions(load);
    expect(registered.map((fn) => fn.name).sort()).toEqual(functionTable.map((definition) => definition.name).sort());
    expect(hostFunctionErrors(registered).map(formatFunctionError)).toEqual([]);
  });

  describe('its first request', () => {
    let azurite: RunningAzurite;
    let env: Record<string, string>;

    beforeAll(async () => {
      azurite = await startAzurite();
      env = {
        FUNCTIONS_WORKER_RUNTIME: 'node',
        AzureWebJobsStorage: azurite.connectionString,
        STORAGE_PROVISIONED: 'true',
        DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
        PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
        API_AUDIENCE: 'api://worker-entry-test',
        GRAPH_CLIENT_ID: '00000000-0000-4000-8000-00000000000b',
        GRAPH_CLIENT_SECRET: 'test-only',
      };
      // What the template provisions in Azure (STORAGE_PROVISIONED=true above).
      const services = createServices({ config: loadConfig(env) });
      try {
        await ensureStorage(services);
      } finally {
        await services.http.close();
      }
    }, 120_000);

    afterAll(async () => {
      await azurite?.stop();
    });

    it('is answered from the chunks loaded then: the composition root and the storage SDKs, against real storage', async () => {
      const load = await loadLikeTheWorker(appDir, env, 120_000, { name: 'health', url: 'http://127.0.0.1:7071/api/health' });

      expect({ loadError: load.loadError, stderr: load.stderr }).toEqual({ loadError: null, stderr: '' });
      expect(load.invocation?.status).toBe(200);
      expect(JSON.parse(load.invocation?.body ?? '{}')).toEqual({ status: 'ok', checks: { tables: 'ok', queues: 'ok' } });
    }, 180_000);
  });
});
