import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { azuriteConnectionString } from '../dev/azurite';
import { readLocalSettings } from '../dev/host/readLocalSettings';
import { toStorageTarget, type StorageTarget } from '../shared/platform/config/storageTarget';
import { isAppError } from '../shared/platform/errors/AppError';
import { replayPoisonMessages, toQueueName } from '../shared/mail/fanout/replayPoisonMessages';
import { QueueAdmin } from '../shared/platform/storage/QueueAdmin';
import { QueueClientFactory } from '../shared/platform/storage/QueueClientFactory';

/*
 * `npm run replay-poison -- <queue>`: moves the messages of `<queue>-poison` back to
 * `<queue>`, unchanged, once the cause of their failures is fixed, and says how many.
 * Storage comes from the same settings the app reads (the environment over
 * local.settings.json); with none, the Azurite of `npm start` (AZURITE_QUEUE_PORT, 10001).
 */

function usage(): string {
  return 'usage: npm run replay-poison -- <queue>   (graph-notifications, graph-lifecycle or jira-notify)';
}

async function storageTarget(): Promise<StorageTarget> {
  const settings = { ...(await readLocalSettings(join(process.cwd(), 'local.settings.json'))), ...process.env };
  const target = toStorageTarget(settings);
  if (typeof target !== 'string') return target;
  const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback) || fallback;
  return {
    kind: 'connectionString',
    connectionString: azuriteConnectionString('127.0.0.1', {
      blobPort: port('AZURITE_BLOB_PORT', 10000),
      queuePort: port('AZURITE_QUEUE_PORT', 10001),
      tablePort: port('AZURITE_TABLE_PORT', 10002),
    }),
  };
}

async function main(args: readonly string[]): Promise<number> {
  let parsed: { values: { help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    // A mistyped option is refused rather than ignored: this script moves messages.
    console.error(`replay-poison: ${error instanceof Error ? error.message : String(error)}\n${usage()}`);
    return 2;
  }
  const name = parsed.positionals[0];
  if (!name || parsed.values.help === true) {
    console.error(usage());
    return name ? 0 : 2;
  }
  const queue = toQueueName(name);
  const admin = new QueueAdmin({ queues: new QueueClientFactory({ target: await storageTarget() }) });
  const result = await replayPoisonMessages(admin, queue);
  console.log(`moved ${result.moved} message(s) from ${queue}-poison back to ${queue}`);
  if (result.leftForLater > 0) console.log(`${result.leftForLater} message(s) failed again during the replay and stay in ${queue}-poison`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(
      isAppError(error)
        ? `replay-poison: ${error.detail ?? error.code}`
        : `replay-poison: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exitCode = 1;
  },
);
