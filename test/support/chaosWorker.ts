import { startLocalHost } from '../../dev/host/startLocalHost';
import type { QueueTriggerOptions } from '../../dev/host/QueueTriggerOptions';
import { functionTable } from '../../functions/functionTable';
import { loadConfig } from '../../shared/platform/config/loadConfig';
import { createServices } from '../../functions/compose';
import type { DeliveryEntity } from '../../shared/platform/storage/deliveries/deliveryEntity';
import { ledgerSentLine } from './mailRunCounts';

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
  const deliveries = services.repositories.deliveries;
  // A mail's rows are recorded in one transaction (`upsertAll`), a lone row with `upsert`.
  const upsert = deliveries.upsert.bind(deliveries);
  const upsertAll = deliveries.upsertAll.bind(deliveries);
  const printSent = (entity: DeliveryEntity) => {
    if (entity.status === 'sent') process.stdout.write(`${ledgerSentLine(entity)}\n`);
  };
  deliveries.upsert = async (entity) => {
    await upsert(entity);
    printSent(entity);
  };
  deliveries.upsertAll = async (entities) => {
    await upsertAll(entities);
    for (const entity of entities) printSent(entity);
  };
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
