import { allQueueNames, poisonQueueName } from './queueNames';
import type { QueueClientFactory } from './QueueClientFactory';
import { toStorageError } from './storageError';
import type { TableClientFactory } from './TableClientFactory';
import { allTableNames } from './tableNames';

/**
 * Creates every table and queue the app uses (with each queue's `-poison` queue, so the
 * replay script and the admin view find it before the first failure), where missing.
 * Idempotent; the hosts call it once per process at start, before serving.
 */
export async function ensureStorage(storage: { tableClients: TableClientFactory; queueClients: QueueClientFactory }): Promise<void> {
  const queues = allQueueNames.flatMap((name) => [name, poisonQueueName(name)]);
  const results = await Promise.allSettled([
    // createTable answers quietly when the table already exists.
    ...allTableNames.map((table) => storage.tableClients.get(table).createTable()),
    ...queues.map((queue) => storage.queueClients.get(queue).createIfNotExists()),
  ]);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw toStorageError(failure.reason, 'create tables and queues');
}
