import { startLocalHost } from '../../dev/host/startLocalHost';
import { functionTable } from '../../functions/functionTable';
import { loadConfig } from '../../shared/platform/config/loadConfig';
import { createServices } from '../../functions/compose';

/*
 * A worker process for the crash tests: the app's real services and the function table's
 * fan-out rows on the local host's queue pollers, with one instance method wrapped so the
 * process dies at the point the test names (CRASH_AT). Test-only: production code has no
 * hook for this. Exit code 70 means it died where it was told to.
 *   beforeNotify  after the ledger claim and the watcher list, before Jira's notify call
 *   afterNotify   after Jira answered the notify call 2xx, before the ledger records `sent`
 */

const CRASH_EXIT_CODE = 70;

async function main(): Promise<void> {
  const services = createServices({ config: loadConfig(process.env) });
  const crashAt = process.env.CRASH_AT;
  if (crashAt === 'beforeNotify') {
    const notifier = services.fanout.notifier;
    notifier.notify = () => process.exit(CRASH_EXIT_CODE);
  } else if (crashAt === 'afterNotify') {
    const deliveries = services.repositories.deliveries;
    const upsert = deliveries.upsert.bind(deliveries);
    deliveries.upsert = async (entity) => {
      if (entity.status === 'sent') process.exit(CRASH_EXIT_CODE);
      return upsert(entity);
    };
  } else {
    throw new Error(`unknown CRASH_AT "${crashAt ?? ''}"`);
  }
  const functions = functionTable.filter((row) => row.name === 'processMailNotification' || row.name === 'notifyIssueWatchers');
  await startLocalHost({
    functions,
    services,
    queueClient: (name) => services.queueClients.get(name),
    port: 0,
    log: { write: (level, line) => process.stderr.write(`${level} ${line}\n`) },
    // A message taken by a worker that died comes back after this, as in Azure after the host's lease.
    queues: {
      maxPollingIntervalMs: 200,
      visibilityTimeoutSeconds: 1,
      processingVisibilitySeconds: Number(process.env.PROCESSING_VISIBILITY_SECONDS ?? 3),
    },
  });
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
