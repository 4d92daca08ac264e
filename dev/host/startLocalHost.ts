import type { FunctionDefinition } from '../../functions/FunctionDefinition';
import { systemClock, type Clock } from '../../shared/platform/clock';
import type { Services } from '../../functions/Services';
import { consoleHostLog } from './consoleHostLog';
import type { HostLog } from './HostLog';
import { QueuePoller, type QueueFunctionDefinition } from './QueuePoller';
import { defaultQueueTriggerOptions, type QueueTriggerOptions } from './QueueTriggerOptions';
import { startHttpServer, type HttpFunctionDefinition, type RunningHttpServer } from './startHttpServer';
import { TimerScheduler, type TimerFunctionDefinition } from './TimerScheduler';
import { validateFunctionTable } from './validateFunctionTable';
import type { StorageQueueClient } from '../../shared/platform/storage/QueueClientFactory';

export interface LocalHostInit {
  /** The function table to serve, handlers bound as given: the app passes `functionTable` (already wrapped), tests their own. */
  functions: readonly FunctionDefinition[];
  services: Services;
  /** A client per queue name (e.g. `QueueClientFactory.get`); required when there are queue functions. */
  queueClient?: (queueName: string) => StorageQueueClient;
  /** 127.0.0.1 by default. */
  host?: string;
  /** 0 picks a free port; 7071 is what `npm start` uses. */
  port?: number;
  /** host.json `extensions.http.routePrefix`; `api` by default. */
  routePrefix?: string;
  /** host.json `extensions.queues`, over the host's defaults. */
  queues?: Partial<QueueTriggerOptions>;
  log?: HostLog;
  clock?: Clock;
}

export interface LocalHost {
  /** `http://127.0.0.1:port`, without the route prefix. */
  url: string;
  port: number;
  /** Closes the server and its connections, stops the pollers and timers. */
  stop(): Promise<void>;
}

/**
 * The development host: serves one function table over HTTP, polls its queues in Azurite
 * and fires its timers, with the Functions host's semantics where they matter to the app.
 * What it leaves out is listed in docs/local-development.md ("Not emulated").
 */
export async function startLocalHost(init: LocalHostInit): Promise<LocalHost> {
  const log = init.log ?? consoleHostLog();
  const clock = init.clock ?? systemClock;
  const queueOptions: QueueTriggerOptions = { ...defaultQueueTriggerOptions, ...init.queues };
  // What the Functions host would put in error never starts here either, with the host's messages.
  validateFunctionTable(init.functions);
  const http = init.functions.filter((d): d is HttpFunctionDefinition => d.kind === 'http');
  // The storage extension lower-cases a trigger's queue name before it listens; so do we.
  const queues = init.functions
    .filter((d): d is QueueFunctionDefinition => d.kind === 'queue')
    .map((d) => ({ ...d, queueName: d.queueName.toLowerCase() }));
  const timers = init.functions.filter((d): d is TimerFunctionDefinition => d.kind === 'timer');
  const { queueClient } = init;
  if (queues.length > 0 && !queueClient) throw new Error('the function table has queue functions but no queueClient was given');

  // Construct everything first: a bad route or schedule fails before anything listens.
  const pollers = queues.map(
    (definition) => new QueuePoller({ definition, services: init.services, queueClient: queueClient!, options: queueOptions, log }),
  );
  const schedulers = timers.map((definition) => new TimerScheduler({ definition, services: init.services, log, clock }));

  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const scheduler of schedulers) await scheduler.stop();
    await Promise.all(started.map((part) => part.stop()));
    // As the Functions host's appTerminate hooks: once nothing runs, the app writes what it holds in memory.
    await init.services.stop();
  };
  let server: RunningHttpServer;
  try {
    for (const poller of pollers) {
      await poller.start();
      started.push(poller);
    }
    server = await startHttpServer({
      functions: http,
      services: init.services,
      log,
      ...(init.host === undefined ? {} : { host: init.host }),
      ...(init.port === undefined ? {} : { port: init.port }),
      ...(init.routePrefix === undefined ? {} : { routePrefix: init.routePrefix }),
    });
    started.push(server);
    for (const scheduler of schedulers) scheduler.start();
  } catch (error) {
    await stopAll();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return { url: server.url, port: server.port, stop: () => (stopping ??= stopAll()) };
}
