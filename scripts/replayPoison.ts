import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { azuriteConnectionString } from '../dev/azurite';
import { readLocalSettings } from '../dev/host/readLocalSettings';
import { toStorageTarget, type StorageTarget } from '../shared/platform/config/storageTarget';
import { isAppError } from '../shared/platform/errors/AppError';
import { replayPoisonMessages, toQueueName } from '../shared/mail/fanout/replayPoisonMessages';
import { QueueAdmin, type PeekedQueueMessage } from '../shared/platform/storage/QueueAdmin';
import { poisonQueueName } from '../shared/platform/storage/queueNames';
import { QueueClientFactory } from '../shared/platform/storage/QueueClientFactory';

/*
 * `npm run replay-poison -- <queue>`: moves the messages of `<queue>-poison` back to
 * `<queue>`, unchanged, once the cause of their failures is fixed, and says how many.
 * `--peek` lists the first messages (ids, tenant, issue, tries: never a mail's words) and
 * `--dry-run` says how many would move; neither moves anything. Storage comes from the same
 * settings the app reads (the environment over local.settings.json). Without one the
 * script refuses, rather than quietly replaying a local Azurite while production waits;
 * `--local` asks for the Azurite of `npm start` (AZURITE_QUEUE_PORT, 10001).
 */

function usage(): string {
  return [
    'usage: npm run replay-poison -- <queue> [--peek | --dry-run] [--local]   (graph-notifications, graph-lifecycle or jira-notify)',
    '  --peek     list the first messages of <queue>-poison; nothing moves',
    '  --dry-run  say how many messages would move; nothing moves',
    '  --local    use the Azurite of npm start when no storage setting is given',
  ].join('\n');
}

async function storageTarget(local: boolean): Promise<StorageTarget | string> {
  const settings = { ...(await readLocalSettings(join(process.cwd(), 'local.settings.json'))), ...process.env };
  const target = toStorageTarget(settings);
  if (typeof target !== 'string') return target;
  if (!local)
    return `no storage setting (${target.split(':')[0] ?? 'AzureWebJobsStorage'}): set AzureWebJobsStorage, or pass --local for the Azurite of npm start`;
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

/** What an operator may see of a poisoned message: where it belongs and how often it was tried, never the mail it carries. */
function describeMessage(message: PeekedQueueMessage): string {
  const body = typeof message.body === 'object' && message.body !== null ? (message.body as Record<string, unknown>) : {};
  const field = (name: string) =>
    typeof body[name] === 'string' || typeof body[name] === 'number' ? `${name}=${String(body[name])}` : undefined;
  const fields = ['tenantId', 'instanceId', 'issueKey', 'subscriptionId', 'lifecycleEvent'].map(field).filter((part) => part !== undefined);
  return `${message.insertedOn} tries=${message.dequeueCount} ${fields.length > 0 ? fields.join(' ') : 'not one of our messages'}`;
}

async function main(args: readonly string[]): Promise<number> {
  let parsed: { values: { help?: boolean; peek?: boolean; 'dry-run'?: boolean; local?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        peek: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        local: { type: 'boolean' },
      },
    });
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
  const target = await storageTarget(parsed.values.local === true);
  if (typeof target === 'string') {
    console.error(`replay-poison: ${target}`);
    return 2;
  }
  const admin = new QueueAdmin({ queues: new QueueClientFactory({ target }) });
  const poison = poisonQueueName(queue);
  if (parsed.values.peek === true || parsed.values['dry-run'] === true) {
    const count = await admin.approximateCount(poison);
    if (parsed.values.peek === true) for (const message of await admin.peek(poison, 32)) console.log(describeMessage(message));
    console.log(`${count} message(s) in ${poison} (approximate); would move them back to ${queue}; nothing moved`);
    return 0;
  }
  console.error(`replay-poison: moving the messages of ${poison} back to ${queue}…`);
  const result = await replayPoisonMessages(admin, queue);
  console.log(`moved ${result.moved} message(s) from ${poison} back to ${queue}`);
  if (result.leftForLater > 0) console.log(`${result.leftForLater} message(s) failed again during the replay and stay in ${poison}`);
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
