import { join } from 'node:path';
import type { HostLog } from '../dev/host/HostLog';
import { readHostJson } from '../dev/host/readHostJson';
import { startLocalHost, type LocalHost } from '../dev/host/startLocalHost';
import { functionTable } from '../functions/functionTable';
import { loadConfig } from '../shared/platform/config/loadConfig';
import { createServices } from '../functions/compose';
import type { Services } from '../functions/Services';
import { ensureStorage } from '../shared/platform/storage/ensureStorage';
import { anchorFunctions } from './anchorFunctions';
import { appCommandSchema, type AppCommand, type AppEvent } from './appMessages';

/*
 * The function app as `npm start` serves it (the function table on the local host, real
 * services over Azurite), in a process of its own: forked by `bench/stack.ts`, driven over
 * IPC, so that what is measured is this process alone. With `--cpu-prof` in its execArgv
 * it writes a profile when told to stop.
 */

const MAX_PRINTED_ERRORS = 20;
let errorLines = 0;
/** Every warning and error by its text with the numbers taken out, for the summary at stop. */
const errorKinds: Record<string, number> = {};

/** The host's info lines (one per request) are dropped: printing them would be the cost measured. */
const benchLog: HostLog = {
  write(level, line) {
    if (level !== 'warn' && level !== 'error') return;
    errorLines += 1;
    const kind = `${level} ${line.replace(/\d+/g, '#')}`;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
    if (errorLines <= MAX_PRINTED_ERRORS) process.stderr.write(`[app ${level}] ${line}\n`);
    else if (errorLines === MAX_PRINTED_ERRORS + 1) process.stderr.write('[app] more warnings and errors follow, not printed\n');
  },
};

let running: { host: LocalHost; services: Services } | undefined;

function send(event: AppEvent, then?: () => void): void {
  process.send!(event, () => then?.());
}

async function start(command: Extract<AppCommand, { type: 'start' }>): Promise<void> {
  // Settings are environment variables in Azure; keep it so for any code that reads them.
  Object.assign(process.env, command.settings);
  const services = createServices({ config: loadConfig(command.settings) });
  await ensureStorage(services);
  const wanted = command.functions === undefined ? undefined : new Set(command.functions);
  const rows = functionTable.filter((row) => wanted === undefined || wanted.has(row.name));
  const hostJson = await readHostJson(join(process.cwd(), 'host.json'));
  const host = await startLocalHost({
    functions: [...rows, ...anchorFunctions.filter((anchor) => anchor.kind === 'http' || wanted?.has(anchor.name) === true)],
    services,
    queueClient: (queueName) => services.queueClients.get(queueName),
    port: command.port,
    routePrefix: hostJson.routePrefix,
    queues: hostJson.queues,
    log: benchLog,
  });
  running = { host, services };
  send({ type: 'ready', url: host.url, pid: process.pid });
}

async function stop(): Promise<void> {
  if (running) {
    await running.host.stop();
    await running.services.http.close();
  }
  // Exiting (not being killed) is what makes --cpu-prof write its profile.
  send({ type: 'stopped', errorLines, errorKinds }, () => process.exit(0));
}

if (process.send) {
  process.on('message', (message: unknown) => {
    const command = appCommandSchema.safeParse(message);
    if (!command.success) return;
    if (command.data.type === 'stats')
      return send({ type: 'stats', storageRequests: running ? running.services.storageRequests.snapshot() : {} });
    const action = command.data.type === 'start' ? start(command.data) : stop();
    action.catch((error: unknown) =>
      send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }, () => process.exit(1)),
    );
  });
  process.once('disconnect', () => process.exit(0));
}
