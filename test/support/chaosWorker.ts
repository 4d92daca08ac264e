import { startLocalHost } from '../../dev/host/startLocalHost';
import type { QueueTriggerOptions } from '../../dev/host/QueueTriggerOptions';
import { functionTable } from '../../functions/functionTable';
import { loadConfig } from '../../shared/platform/config/loadConfig';
import { createServices } from '../../functions/compose';
import { ledgerSentLine } from './mailRunCounts';
import { watchLedgerSent } from './watchLedgerSent';

/*
 * The worker process of the chaos runs: the app's real services and the whole function
 * table (HTTP, queues, timers) on the local host, on PORT — what a Functions worker is. The
 * run kills it with SIGKILL at random moments and starts another on the same port.
 * Test-only addition: every `sent` the delivery ledger records (alone or in a mail's transaction) is printed (`ledgerSentLine`)
 * once the write succeeded, so the run can tell a duplicate from the documented crash
 * window (Jira's 2xx, then no ledger write) from any other.
 */

async function main(): Promise<void> {
  const services = createServices({ config: loadConfig(process.env) });
  watchLedgerSent(services.repositories.deliveries, (entity) => process.stdout.write(`${ledgerSentLine(entity)}\n`));
  const queues = JSON.parse(process.env.CHAOS_QUEUES ?? '{}') as Partial<QueueTriggerOptions>;
  await startLocalHost({
    functions: functionTable,
    services,
    queueClient: (name) => services.queueClients.get(name),
    port: Number(process.env.PORT),
    log: { write: (level, line) => level !== 'info' && level !== 'debug' && process.stderr.write(`${level} ${line}\n`) },
    queues,
  });
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`chaos worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
