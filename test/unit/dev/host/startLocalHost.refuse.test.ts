import { freePort } from '../../../../bench/freePort';
import { isListening } from '../../../../dev/azurite';
import { startLocalHost } from '../../../../dev/host/startLocalHost';
import type { FunctionDefinition } from '../../../../functions/FunctionDefinition';
import { functionTable } from '../../../../functions/functionTable';
import type { Services } from '../../../../functions/Services';
import { memoryLog, testServices } from './localHostTestSupport';

describe('local host: the Functions host start-up checks', () => {
  let services: Services;

  beforeAll(() => {
    services = testServices();
  });

  afterAll(async () => {
    await services.http.close();
  });

  it("refuses the app's table with one admin/ route, with the host's message, and never listens", async () => {
    const port = await freePort();
    const adminRow: FunctionDefinition = {
      kind: 'http',
      name: 'adminInstances',
      route: 'admin/instances',
      methods: ['GET'],
      handler: async () => ({}),
    };
    const log = memoryLog();
    await expect(startLocalHost({ functions: [...functionTable, adminRow], services, port, log })).rejects.toThrow(
      "The 'adminInstances' function is in error: The specified route conflicts with one or more built in routes.",
    );
    expect(await isListening('127.0.0.1', port)).toBe(false);
    expect(log.lines).toEqual([]);
  });

  it('refuses a queue function on a queue name the storage extension refuses, before touching storage', async () => {
    // No queueClient: had the check not come first, this would fail on the missing client instead.
    await expect(
      startLocalHost({
        functions: [{ kind: 'queue', name: 'worker', queueName: 'jobs--x', handler: async () => undefined }],
        services,
        port: 0,
      }),
    ).rejects.toThrow("The 'worker' function is in error: A queue name cannot contain consecutive dash(-) characters.");
  });

  it('names every refused function in one error', async () => {
    const handler = async () => ({});
    const functions: FunctionDefinition[] = [
      { kind: 'http', name: 'runtimeStatus', route: 'runtime/status', methods: ['GET'], handler },
      { kind: 'http', name: 'links', route: 'links', methods: ['GET'], handler },
      { kind: 'http', name: 'links2', route: 'links', methods: ['GET', 'POST'], handler },
      { kind: 'http', name: 'bad.name', route: 'x', methods: ['GET'], handler },
    ];
    await expect(startLocalHost({ functions, services, port: 0 })).rejects.toThrow(
      [
        'the Azure Functions host would refuse 3 function(s) of this table:',
        "  The 'runtimeStatus' function is in error: The specified route conflicts with one or more built in routes.",
        "  The 'links2' function is in error: The route specified conflicts with the route defined by function 'links'.",
        "  The 'bad.name' function is in error: 'bad.name' is not a valid function name.",
      ].join('\n'),
    );
  });
});
