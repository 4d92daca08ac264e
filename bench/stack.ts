import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../dev/azurite';
import { startGraphSimulator, type GraphSimulator } from '../dev/sandbox/graph/startGraphSimulator';
import type { JiraSimulatorRoute } from '../dev/sandbox/jira/JiraSimulatorRoute';
import { startJiraSimulator, type JiraSimulator } from '../dev/sandbox/jira/startJiraSimulator';
import { newGuid } from '../dev/sandbox/newGuid';
import { startTokenIssuer, type MintClaims, type TokenIssuer } from '../dev/sandbox/issuer/tokenIssuer';
import { appEventSchema, type AppCommand, type AppEvent } from './appMessages';
import { freePort } from './freePort';

export interface StackInit {
  /** Function-table rows to serve (by name); all when absent. The bench's anchor rows are always served. */
  functions?: readonly string[];
  /** Settings over the stack's own. */
  settings?: Record<string, string>;
  /** Routes of the Jira simulator beyond its built-in ones (UPM, a bench payload). */
  jiraRoutes?: JiraSimulatorRoute[];
  /** Start the Graph simulator and point the app at it. */
  graph?: boolean;
  /** `--cpu-prof` for the app process, profiles written here. */
  profileDir?: string;
  log: (line: string) => void;
}

export interface Stack {
  /** `http://127.0.0.1:port` of the app (the local host), without `/api`. */
  appUrl: string;
  /** The app process, e.g. to read its memory from /proc. */
  appPid: number;
  azurite: RunningAzurite;
  issuer: TokenIssuer;
  jira: JiraSimulator;
  graph: GraphSimulator | undefined;
  audience: string;
  adminRole: string;
  tenantId: string;
  /** A user of `tenantId` with the admin app role, and a plain user. */
  adminToken: string;
  userId: string;
  userToken: string;
  mint(claims: Partial<MintClaims> & { userId: string }): Promise<string>;
  /** The app's storage requests so far, by `METHOD resource`. */
  storageRequests(): Promise<Record<string, number>>;
  /** Stops the app (waiting for its profile to be written), the simulators and Azurite. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const running = new Set<Stack>();

/**
 * Azurite, the token issuer, the simulated Jira (and Graph), and the function app on the
 * local host in a process of its own. The simulators run in this (the orchestrating)
 * process, which is idle while a load process measures; the app shares its event loop with
 * nothing but its own work.
 */
export async function startStack(init: StackInit): Promise<Stack> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((error: unknown) => init.log(`stop failed: ${error instanceof Error ? error.message : String(error)}`));
  };
  try {
    const azurite = await startAzurite({ host: HOST });
    stops.push(() => azurite.stop());
    const issuer = await startTokenIssuer({ host: HOST });
    stops.push(() => issuer.stop());
    const jira = await startJiraSimulator({ host: HOST, routes: init.jiraRoutes ?? [] });
    stops.push(() => jira.stop());
    const graphClientId = newGuid();
    const graphClientSecret = randomBytes(24).toString('base64url');
    const graph = init.graph
      ? await startGraphSimulator({ host: HOST, clientId: graphClientId, clientSecret: graphClientSecret })
      : undefined;
    if (graph) stops.push(() => graph.stop());

    const port = await freePort(HOST);
    const appUrl = `http://${HOST}:${port}`;
    const audience = `api://${newGuid()}`;
    const adminRole = 'Integration.Admin';
    const settings: Record<string, string> = {
      FUNCTIONS_WORKER_RUNTIME: 'node',
      AzureWebJobsStorage: azurite.connectionString,
      DATA_ENCRYPTION_KEY: `bench:${randomBytes(32).toString('base64')}`,
      PUBLIC_BASE_URL: appUrl,
      API_AUDIENCE: audience,
      ...issuer.appSettings,
      ADMIN_ROLE: adminRole,
      GRAPH_CLIENT_ID: graphClientId,
      GRAPH_CLIENT_SECRET: graphClientSecret,
      ...(graph
        ? {
            GRAPH_AUTHORITY_HOST: graph.authorityHost,
            GRAPH_BASE_URL: graph.baseUrl,
            GRAPH_VALIDATION_JWKS_URL: graph.validationJwksUrl,
            GRAPH_VALIDATION_ISSUER_TEMPLATE: graph.validationIssuerTemplate,
          }
        : {}),
      ALLOW_INSECURE_JIRA: 'true',
      ALLOW_PRIVATE_NETWORK_TARGETS: 'true',
      LOG_LEVEL: 'warn',
      ...init.settings,
    };
    const app = await startAppProcess({ settings, port, functions: init.functions, profileDir: init.profileDir, log: init.log });
    stops.push(() => app.stop());

    const tenantId = newGuid();
    const userId = newGuid();
    const mint = (claims: Partial<MintClaims> & { userId: string }) =>
      issuer.mint({ tenantId, audience, expiresInSeconds: 4 * 3600, ...claims });
    const stack: Stack = {
      appUrl: app.url,
      appPid: app.pid,
      azurite,
      issuer,
      jira,
      graph,
      audience,
      adminRole,
      tenantId,
      adminToken: await mint({ userId: newGuid(), roles: [adminRole] }),
      userId,
      userToken: await mint({ userId }),
      mint,
      storageRequests: () => app.storageRequests(),
      stop: async () => {
        running.delete(stack);
        await stopAll();
      },
    };
    running.add(stack);
    return stack;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

const extras = new Set<() => Promise<void>>();

/** Something else a benchmark started (nginx) that `stopAllStacks` must stop too; returns the way to forget it. */
export function stopWithStacks(stop: () => Promise<void>): () => void {
  extras.add(stop);
  return () => {
    extras.delete(stop);
  };
}

/** Every stack still running, and whatever was registered with it (on Ctrl-C, or after a benchmark failed half-way). */
export async function stopAllStacks(): Promise<void> {
  for (const stop of [...extras]) {
    extras.delete(stop);
    await stop().catch(() => undefined);
  }
  for (const stack of [...running]) await stack.stop();
}

interface AppProcess {
  url: string;
  pid: number;
  storageRequests(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

async function startAppProcess(init: {
  settings: Record<string, string>;
  port: number;
  functions: readonly string[] | undefined;
  profileDir: string | undefined;
  log: (line: string) => void;
}): Promise<AppProcess> {
  const execArgv = init.profileDir ? ['--cpu-prof', '--cpu-prof-dir', init.profileDir] : [];
  const child = fork(join(__dirname, 'appProcess.js'), [], {
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...init.settings },
  });
  const events: AppEvent[] = [];
  const waiters: (() => void)[] = [];
  child.on('message', (message: unknown) => {
    const parsed = appEventSchema.safeParse(message);
    if (!parsed.success) return;
    events.push(parsed.data);
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const next = async (timeoutMs: number, what: string): Promise<AppEvent> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = events.shift();
      if (event) return event;
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`the app process exited (${child.exitCode ?? child.signalCode}) before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the app process did not report ${what} within ${Math.round(timeoutMs / 1000)} s`);
      await Promise.race([
        new Promise<void>((wake) => waiters.push(wake)),
        exited,
        new Promise((wake) => setTimeout(wake, Math.min(left, 250))),
      ]);
    }
  };

  const command: AppCommand = {
    type: 'start',
    settings: init.settings,
    port: init.port,
    ...(init.functions ? { functions: [...init.functions] } : {}),
  };
  child.send(command);
  let ready: AppEvent;
  try {
    ready = await next(60_000, 'ready');
  } catch (error) {
    kill(child);
    throw error;
  }
  if (ready.type !== 'ready') {
    kill(child);
    throw new Error(`the app did not start: ${ready.type === 'failed' ? ready.message : ready.type}`);
  }

  let stopping: Promise<void> | undefined;
  return {
    url: ready.url,
    pid: ready.pid,
    storageRequests: async () => {
      child.send({ type: 'stats' } satisfies AppCommand);
      const event = await next(10_000, 'its storage requests');
      if (event.type !== 'stats') throw new Error(`the app process answered ${event.type} to stats`);
      return event.storageRequests;
    },
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.send({ type: 'stop' } satisfies AppCommand);
        const hard = setTimeout(() => kill(child), 20_000);
        try {
          const code = await exited;
          const stopped = events.find((event) => event.type === 'stopped');
          if (stopped?.type === 'stopped' && stopped.errorLines > 0) {
            const kinds = Object.entries(stopped.errorKinds)
              .sort((a, b) => b[1] - a[1])
              .map(([kind, count]) => `  ${count}× ${kind}`);
            init.log([`the app logged ${stopped.errorLines} warnings or errors:`, ...kinds].join('\n'));
          }
          if (code !== 0) init.log(`the app process exited with ${code}`);
        } finally {
          clearTimeout(hard);
        }
      })()),
  };
}

function kill(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
