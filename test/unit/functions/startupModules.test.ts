import path from 'node:path';
import { z } from 'zod';
import { runTypeScript } from '../../support/spawnTypeScript';

const env = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 9).toString('base64')}`,
  PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
  API_AUDIENCE: 'api://startup-modules-test',
  GRAPH_CLIENT_ID: '00000000-0000-4000-8000-00000000000c',
  GRAPH_CLIENT_SECRET: 'test-only',
};

/** The packages behind the handlers' services: most of a cold start before issue 18 (docs/performance.md). */
const HEAVY_PACKAGES = [
  '@azure/data-tables',
  '@azure/storage-queue',
  '@azure/identity',
  '@azure/msal-node',
  '@azure/monitor-opentelemetry-exporter',
  '@microsoft/microsoft-graph-client',
  '@opentelemetry/sdk-trace-base',
  'jose',
  'undici',
  'oauth-1.0a',
  'cron-parser',
];

function packageOf(file: string): string | undefined {
  return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];
}

describe('start-up (import functions/index.ts and register the table)', () => {
  let loaded: string[];

  beforeAll(async () => {
    const run = await runTypeScript(path.join(__dirname, '../../support/listStartupModules.ts'), { env, timeoutMs: 120_000 });
    if (run.code !== 0) throw new Error(`the entry point did not load:\n${run.stderr}`);
    loaded = z.array(z.string()).parse(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '[]'));
  }, 150_000);

  it('loads none of the SDKs the handlers need', () => {
    const packages = new Set(loaded.flatMap((file) => packageOf(file) ?? []));
    expect(HEAVY_PACKAGES.filter((name) => packages.has(name))).toEqual([]);
    // What it does load: the host library, the settings schema, the tracing API of the span wrapper.
    expect([...packages].sort()).toEqual(expect.arrayContaining(['@azure/functions', 'zod']));
  });

  it('loads no handler and not the composition root: they wait for the first invocation', () => {
    const app = loaded.filter((file) => packageOf(file) === undefined);
    expect(app).toContain('functions/index.ts');
    expect(app).toContain('functions/functionTable.ts');
    expect(
      app.filter((file) => /^functions\/(compose|processServices|jiraProxy|graphNotifications|licenseCheck|manageUi)\.ts$/.test(file)),
    ).toEqual([]);
    // Pure helpers (table keys, row parsing) may load; what builds a storage client may not.
    expect(app.filter((file) => /^shared\/platform\/storage\/.*(createStorageServices|ClientFactory|Repository)\.ts$/.test(file))).toEqual(
      [],
    );
  });
});
