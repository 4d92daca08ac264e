import { spawn, type ChildProcess } from 'node:child_process';
import { join, relative, resolve } from 'node:path';
import { functionTable } from '../functions/functionTable';
import { ConfigError } from '../shared/platform/config/ConfigError';
import { loadConfig, type AppConfig } from '../shared/platform/config/loadConfig';
import { createServices } from '../functions/compose';
import type { Services } from '../functions/Services';
import { ensureStorage } from '../shared/platform/storage/ensureStorage';
import { consoleHostLog } from './host/consoleHostLog';
import { ensureAzurite, type AzuritePorts } from './host/ensureAzurite';
import { findExecutable } from './host/findExecutable';
import { loadDevEncryptionKey } from './host/loadDevEncryptionKey';
import { readHostJson } from './host/readHostJson';
import { readLocalSettings } from './host/readLocalSettings';
import { startLocalHost } from './host/startLocalHost';
import { startSandbox, type Sandbox } from './sandbox/startSandbox';
import { graphSimulatorPart } from './sandbox/graph/graphSimulatorPart';
import { jiraSimulatorPart } from './sandbox/jira/jiraSimulatorPart';
import { tokenIssuerPart } from './sandbox/issuer/tokenIssuerPart';
import { startTelemetry } from '../shared/platform/telemetry/startTelemetry';
import { startProgress } from './startProgress';

/*
 * `npm start`: Azurite, the sandbox and the function app on loopback, with nothing but
 * Node.js. Environment variables of this script (besides the app's settings):
 *   PORT                  the app's port (7071)
 *   AZURITE_BLOB_PORT, AZURITE_QUEUE_PORT, AZURITE_TABLE_PORT   Azurite's ports (10000-10002)
 *   LOCAL_DIR             where sandbox.json and the dev keys live (./.local)
 *   DEV_HOST              auto (func when Core Tools is on PATH), func, or local (our host)
 */

const HOST = '127.0.0.1';
const DEFAULT_AZURITE: AzuritePorts = { blobPort: 10000, queuePort: 10001, tablePort: 10002 };
/** Once the app answers, the simulators register what they stand for with it (e.g. the demo Jira instance). */
const SEED_STEP = 'sandbox: registering the simulated Jira with the app';
/** Parts of the sandbox, started in this order; each is skipped when its real service is configured. */
const SANDBOX_PARTS = [tokenIssuerPart(), graphSimulatorPart(), jiraSimulatorPart()];

/** Everything started so far, stopped in reverse on exit; a part started after shutdown began is stopped at once. */
class Running {
  private readonly stops: { name: string; stop: () => Promise<unknown> }[] = [];
  private shuttingDown: Promise<void> | undefined;

  get stopping(): boolean {
    return this.shuttingDown !== undefined;
  }

  add(name: string, stop: () => Promise<unknown>): void {
    if (this.shuttingDown) void stop().catch(() => undefined);
    else this.stops.push({ name, stop });
  }

  stopAll(): Promise<void> {
    this.shuttingDown ??= (async () => {
      for (const { name, stop } of this.stops.reverse()) {
        try {
          await stop();
        } catch (error) {
          console.error(`could not stop ${name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })();
    return this.shuttingDown;
  }
}

async function main(): Promise<number> {
  const running = new Running();
  let exiting = false;
  const exit = (code: number) => {
    if (exiting) return;
    exiting = true;
    void running.stopAll().finally(() => process.exit(code));
  };
  const onSignal = () => {
    // A second Ctrl-C while stopping: stop waiting.
    if (exiting) process.exit(130);
    exit(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    return await start(running, exit);
  } catch (error) {
    if (error instanceof ConfigError) console.error(error.detail);
    else console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
    await running.stopAll();
    return 1;
  }
}

/** Resolves 0 once everything runs (the process then lives on its servers), or a failure code. */
async function start(running: Running, exit: (code: number) => void): Promise<number> {
  const cwd = process.cwd();
  const localDir = resolve(cwd, nonEmpty(process.env.LOCAL_DIR) ?? '.local');
  const port = portFrom('PORT', 7071);
  const appUrl = `http://${HOST}:${port}`;

  // As with `func start`: local.settings.json first, anything in the environment wins.
  const localSettings = await readLocalSettings(join(cwd, 'local.settings.json'));
  const given = withoutEmpty({ ...localSettings, ...process.env });
  const defaults: Record<string, string> = { FUNCTIONS_WORKER_RUNTIME: 'node', PUBLIC_BASE_URL: appUrl };

  const lines: string[] = [];
  const step = startProgress({ write: (line) => console.log(line) });
  if (needsAzurite(given)) {
    const developmentStorage = isDevelopmentStorage(given.AzureWebJobsStorage);
    // `UseDevelopmentStorage=true` means the fixed ports in every SDK.
    const ports = developmentStorage
      ? DEFAULT_AZURITE
      : {
          blobPort: portFrom('AZURITE_BLOB_PORT', 10000),
          queuePort: portFrom('AZURITE_QUEUE_PORT', 10001),
          tablePort: portFrom('AZURITE_TABLE_PORT', 10002),
        };
    const storage = await step(
      'storage: Azurite',
      () => ensureAzurite({ host: HOST, ports }),
      (started) => started.description,
    );
    running.add('Azurite', () => storage.stop());
    if (!developmentStorage) defaults.AzureWebJobsStorage = storage.connectionString;
    lines.push(`Storage:  ${storage.description}`);
  } else {
    lines.push('Storage:  as configured (AzureWebJobsStorage*), Azurite not started');
  }
  if (running.stopping) return 0;

  if (given.DATA_ENCRYPTION_KEY === undefined) defaults.DATA_ENCRYPTION_KEY = await loadDevEncryptionKey(localDir);

  const sandbox: Sandbox = await step(
    'simulators: token issuer, Graph, Jira (each unless its real service is configured)',
    () => startSandbox({ parts: SANDBOX_PARTS, given, appUrl, localDir, host: HOST }),
    (started) =>
      [started.started.join(', ') || 'none', ...(started.skipped.length > 0 ? [`real: ${started.skipped.join(', ')}`] : [])].join('; '),
  );
  running.add('sandbox', () => sandbox.stop());
  if (sandbox.filePath) lines.push(`Sandbox:  ${sandbox.started.join(', ')}; URLs and tokens in ${displayPath(cwd, sandbox.filePath)}`);
  if (sandbox.skipped.length > 0) lines.push(`Real services configured, not simulated: ${sandbox.skipped.join(', ')}`);
  if (running.stopping) return 0;

  const env: Record<string, string> = { ...defaults, ...sandbox.settings, ...given };
  const config: AppConfig = loadConfig(env);
  const services: Services = createServices({ config });
  running.add('outbound HTTP client', () => services.http.close());
  await step('storage: tables and queues', () => ensureStorage(services));
  // The local host runs the function table in this process: its spans go to this console.
  if (startTelemetry(config.settings).spanProcessors.length > 0 && config.settings.OTEL_CONSOLE)
    lines.push('Telemetry: every span, and the metrics every 10 s, printed to the console (OTEL_CONSOLE)');

  const mode = await chooseHost(env);
  if (mode.kind === 'func') {
    await step(`host: Core Tools (${mode.path}) until ${appUrl}/api/health answers`, async () => {
      const child = startFunc(mode.path, port, env, cwd);
      running.add('func', () => stopChild(child));
      child.once('exit', (code) => exit(code ?? 1));
      await waitForHealth(`${appUrl}/api/health`, 60_000);
    });
    lines.unshift(`Function app (Core Tools, ${mode.path}): ${appUrl}/api`);
    await step(SEED_STEP, () => sandbox.seed());
    printBanner(lines);
    return 0;
  }

  // Settings are environment variables in Azure; keep it so for any code that reads them.
  Object.assign(process.env, env);
  const hostJson = await readHostJson(join(cwd, 'host.json'));
  const log = consoleHostLog(config.settings.LOG_LEVEL);
  const localHost = await step(`host: the local development host on ${appUrl}`, () =>
    startLocalHost({
      functions: functionTable,
      services,
      queueClient: (queueName) => services.queueClients.get(queueName),
      host: HOST,
      port,
      routePrefix: hostJson.routePrefix,
      queues: hostJson.queues,
      log,
    }).catch((error: unknown) => {
      if ((error as { code?: unknown }).code === 'EADDRINUSE') throw new Error(`port ${port} is already in use; set PORT to another one`);
      throw error;
    }),
  );
  running.add('local host', () => localHost.stop());
  await step(SEED_STEP, () => sandbox.seed());

  const prefix = hostJson.routePrefix ? `/${hostJson.routePrefix}` : '';
  lines.unshift(`Function app (local development host): ${localHost.url}${prefix}`);
  for (const definition of functionTable) {
    if (definition.kind === 'http')
      lines.push(`  ${definition.name}: [${definition.methods.join(',')}] ${localHost.url}${prefix}/${definition.route}`);
    else if (definition.kind === 'queue') lines.push(`  ${definition.name}: queue ${definition.queueName}`);
    else lines.push(`  ${definition.name}: timer ${definition.schedule}`);
  }
  printBanner(lines);
  return 0;
}

/** Core Tools starts the worker on its own schedule: seed only once the app answers. */
async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`);
}

type HostChoice = { kind: 'func'; path: string } | { kind: 'local' };

async function chooseHost(env: Readonly<Record<string, string>>): Promise<HostChoice> {
  const wanted = (env.DEV_HOST ?? 'auto').toLowerCase();
  if (wanted === 'local') return { kind: 'local' };
  if (wanted !== 'auto' && wanted !== 'func') throw new Error(`DEV_HOST: expected auto, func or local, not "${wanted}"`);
  const path = await findExecutable('func', env);
  if (path) return { kind: 'func', path };
  if (wanted === 'func') throw new Error('DEV_HOST=func, but Azure Functions Core Tools (func) is not on PATH');
  return { kind: 'local' };
}

function startFunc(path: string, port: number, env: Record<string, string>, cwd: string): ChildProcess {
  return spawn(path, ['start', '--port', String(port)], { cwd, env, stdio: 'inherit', shell: process.platform === 'win32' });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(hard);
      done();
    });
    child.kill('SIGINT');
  });
}

function needsAzurite(given: Readonly<Record<string, string | undefined>>): boolean {
  const configured = [
    'AzureWebJobsStorage',
    'AzureWebJobsStorage__accountName',
    'AzureWebJobsStorage__queueServiceUri',
    'AzureWebJobsStorage__tableServiceUri',
  ].some((name) => given[name] !== undefined);
  return !configured || isDevelopmentStorage(given.AzureWebJobsStorage);
}

function isDevelopmentStorage(value: string | undefined): boolean {
  return value !== undefined && /^\s*UseDevelopmentStorage\s*=\s*true\s*;?\s*$/i.test(value);
}

function portFrom(name: string, fallback: number): number {
  const text = nonEmpty(process.env[name]);
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}: expected a port number from 1 to 65535`);
  return port;
}

function withoutEmpty(values: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) if (nonEmpty(value) !== undefined) result[name] = value!;
  return result;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function displayPath(cwd: string, path: string): string {
  const local = relative(cwd, path);
  return local && !local.startsWith('..') ? local : path;
}

function printBanner(lines: readonly string[]): void {
  console.log(['', ...lines, '', 'Press Ctrl-C to stop.', ''].join('\n'));
}

main().then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
