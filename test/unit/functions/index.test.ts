import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Services } from '../../../functions/Services';

const baseEnv = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 5).toString('base64')}`,
  PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
  API_AUDIENCE: 'api://entry-point-test',
  GRAPH_CLIENT_ID: '00000000-0000-4000-8000-00000000000a',
  GRAPH_CLIENT_SECRET: 'test-only',
};

type HttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

interface Loaded {
  appStartHooks: (() => unknown)[];
  appTerminateHooks: (() => unknown)[];
  http: Map<string, HttpHandler>;
  ensureStorage: jest.Mock<Promise<undefined>, [Services]>;
  /** Every `Services` the composition root built in this load, in order. */
  built: Services[];
}

/**
 * Loads functions/index.ts as the worker would, in a fresh module registry (also the one its lazy
 * imports use later), with @azure/functions recording the registrations and the composition
 * root recording what it builds.
 */
function loadEntryPoint(env: Record<string, string>): Loaded {
  const appStartHooks: (() => unknown)[] = [];
  const appTerminateHooks: (() => unknown)[] = [];
  const http = new Map<string, HttpHandler>();
  const ensureStorage = jest.fn<Promise<undefined>, [Services]>(async () => undefined);
  const built: Services[] = [];
  process.env = { ...env };
  jest.resetModules();
  jest.doMock('@azure/functions', () => ({
    app: {
      setup: () => undefined,
      http: (name: string, options: { handler: HttpHandler }) => http.set(name, options.handler),
      storageQueue: () => undefined,
      timer: () => undefined,
      hook: {
        appStart: (hook: () => unknown) => appStartHooks.push(hook),
        appTerminate: (hook: () => unknown) => appTerminateHooks.push(hook),
      },
    },
  }));
  jest.doMock('../../../shared/platform/storage/ensureStorage', () => ({ ensureStorage }));
  // The real composition root, loaded only when the entry point first asks for it.
  jest.doMock('../../../functions/compose', () => {
    const actual = jest.requireActual<typeof import('../../../functions/compose')>('../../../functions/compose');
    return {
      createServices: (init: Parameters<typeof actual.createServices>[0]) => {
        const services = actual.createServices(init);
        built.push(services);
        return services;
      },
    };
  });
  jest.requireActual('../../../functions/index');
  return { appStartHooks, appTerminateHooks, http, ensureStorage, built };
}

describe('functions/index.ts at start', () => {
  const saved = process.env;
  const opened: Services[] = [];
  afterEach(() => {
    process.env = saved;
    jest.restoreAllMocks();
  });
  afterAll(async () => {
    await Promise.all(opened.map((services) => services.http.close()));
  });

  it('ensures tables and queues before traffic where nothing provisioned them, with the services every handler gets', async () => {
    const loaded = loadEntryPoint(baseEnv);
    expect(loaded.appStartHooks).toHaveLength(1);
    expect(loaded.built).toEqual([]);
    await loaded.appStartHooks[0]!();
    opened.push(...loaded.built);
    expect(loaded.built).toHaveLength(1);
    expect(loaded.ensureStorage).toHaveBeenCalledTimes(1);
    expect(loaded.ensureStorage.mock.calls[0]?.[0]).toBe(loaded.built[0]);
  });

  it('makes no storage call at start where the template provisioned storage (STORAGE_PROVISIONED=true)', async () => {
    const loaded = loadEntryPoint({ ...baseEnv, STORAGE_PROVISIONED: 'true' });
    expect(loaded.appStartHooks).toEqual([]);
    expect(loaded.ensureStorage).not.toHaveBeenCalled();
  });

  it('builds no service to register, then the services once, at the first request, for every later one', async () => {
    const loaded = loadEntryPoint({ ...baseEnv, STORAGE_PROVISIONED: 'true' });
    const problems = loaded.http.get('problemTypes');
    if (!problems) throw new Error('problemTypes is not registered');
    const context = { invocationId: 'first', functionName: 'problemTypes', log: () => undefined } as unknown as InvocationContext;
    const request = { method: 'GET', url: 'http://127.0.0.1:7071/api/problems', headers: new Headers() } as unknown as HttpRequest;

    expect(loaded.built).toEqual([]);
    const first = await problems(request, context);
    opened.push(...loaded.built);
    expect(loaded.built).toHaveLength(1);
    const second = await problems(request, context);

    expect([first.status ?? 200, second.status ?? 200]).toEqual([200, 200]);
    expect(loaded.built).toHaveLength(1);
  });

  it('writes what the process holds in memory (the report counters) when the worker is shut down', async () => {
    const loaded = loadEntryPoint({ ...baseEnv, STORAGE_PROVISIONED: 'true' });
    const problems = loaded.http.get('problemTypes');
    if (!problems) throw new Error('problemTypes is not registered');
    const context = { invocationId: 'first', functionName: 'problemTypes', log: () => undefined } as unknown as InvocationContext;
    await problems({ method: 'GET', url: 'http://127.0.0.1:7071/api/problems', headers: new Headers() } as unknown as HttpRequest, context);
    opened.push(...loaded.built);
    const stop = jest.spyOn(loaded.built[0]!.admin.reports, 'stop').mockResolvedValue(true);

    expect(loaded.appTerminateHooks).toHaveLength(1);
    await loaded.appTerminateHooks[0]!();
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('builds nothing at shut-down in a worker that never served', async () => {
    const loaded = loadEntryPoint({ ...baseEnv, STORAGE_PROVISIONED: 'true' });
    await loaded.appTerminateHooks[0]!();
    expect(loaded.built).toEqual([]);
  });

  it('refuses to start on a bad setting, printing one message that names it', () => {
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const { GRAPH_CLIENT_SECRET: _omitted, ...incomplete } = baseEnv;

    expect(() => loadEntryPoint({ ...incomplete, GRAPH_SUBSCRIPTION_MINUTES: '20000' })).toThrow(/config_invalid/);
    expect(printed).toHaveBeenCalledTimes(1);
    expect(String(printed.mock.calls[0]?.[0])).toMatch(/GRAPH_CLIENT_SECRET: required/);
  });

  it('refuses to start when the Graph settings do not fit together, not at the first notification', () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => loadEntryPoint({ ...baseEnv, GRAPH_SUBSCRIPTION_MINUTES: '20000' })).toThrow(/GRAPH_SUBSCRIPTION_MINUTES/);
  });
});
