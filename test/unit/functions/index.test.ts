import type { Services } from '../../../functions/Services';

const baseEnv = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 5).toString('base64')}`,
  PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
  API_AUDIENCE: 'api://entry-point-test',
  GRAPH_CLIENT_ID: '00000000-0000-4000-8000-00000000000a',
  GRAPH_CLIENT_SECRET: 'test-only',
};

interface Loaded {
  appStartHooks: (() => unknown)[];
  appTerminateHooks: (() => unknown)[];
  ensureStorage: jest.Mock<Promise<undefined>, [Services]>;
  services: Services;
}

/** Loads functions/index.ts as the worker would, with @azure/functions recording the hooks. */
function loadEntryPoint(env: Record<string, string>): Loaded {
  const saved = process.env;
  const appStartHooks: (() => unknown)[] = [];
  const appTerminateHooks: (() => unknown)[] = [];
  const ensureStorage = jest.fn<Promise<undefined>, [Services]>(async () => undefined);
  let services: Services | undefined;
  process.env = { ...env };
  try {
    jest.isolateModules(() => {
      jest.doMock('@azure/functions', () => ({
        app: {
          setup: () => undefined,
          http: () => undefined,
          storageQueue: () => undefined,
          timer: () => undefined,
          hook: {
            appStart: (hook: () => unknown) => appStartHooks.push(hook),
            appTerminate: (hook: () => unknown) => appTerminateHooks.push(hook),
          },
        },
      }));
      jest.doMock('../../../shared/platform/storage/ensureStorage', () => ({ ensureStorage }));
      jest.requireActual('../../../functions/index');
      // The same (isolated) module registry as the entry point: the services it built.
      services = jest.requireActual<{ processServices: () => Services }>('../../../functions/processServices').processServices();
    });
  } finally {
    process.env = saved;
  }
  if (!services) throw new Error('the entry point built no services');
  return { appStartHooks, appTerminateHooks, ensureStorage, services };
}

describe('functions/index.ts at start', () => {
  const opened: Services[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((services) => services.http.close()));
  });

  it('ensures tables and queues before traffic where nothing provisioned them', async () => {
    const loaded = loadEntryPoint(baseEnv);
    opened.push(loaded.services);
    expect(loaded.appStartHooks).toHaveLength(1);
    await loaded.appStartHooks[0]!();
    expect(loaded.ensureStorage).toHaveBeenCalledTimes(1);
    expect(loaded.ensureStorage.mock.calls[0]?.[0]).toBe(loaded.services);
  });

  it('makes no storage call at start where the template provisioned storage (STORAGE_PROVISIONED=true)', async () => {
    const loaded = loadEntryPoint({ ...baseEnv, STORAGE_PROVISIONED: 'true' });
    opened.push(loaded.services);
    expect(loaded.appStartHooks).toEqual([]);
    expect(loaded.ensureStorage).not.toHaveBeenCalled();
  });

  it('writes what the process holds in memory when the worker is shut down (the report counters)', async () => {
    const loaded = loadEntryPoint({ ...baseEnv, STORAGE_PROVISIONED: 'true' });
    opened.push(loaded.services);
    const stop = jest.spyOn(loaded.services.admin.reports, 'stop').mockResolvedValue(true);
    expect(loaded.appTerminateHooks).toHaveLength(1);
    await loaded.appTerminateHooks[0]!();
    expect(stop).toHaveBeenCalledTimes(1);
  });
});
