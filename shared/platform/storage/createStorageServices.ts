import type { StorageTarget } from '../config/storageTarget';
import { createRepositories } from './createRepositories';
import { createStorageCredential } from './createStorageCredential';
import { QueueClientFactory } from './QueueClientFactory';
import { QueueSender } from './QueueSender';
import type { Repositories } from './Repositories';
import { StorageHealth } from './StorageHealth';
import { StorageRequestCounter } from './StorageRequestCounter';
import { TableClientFactory } from './TableClientFactory';

export interface StorageServices {
  tableClients: TableClientFactory;
  queueClients: QueueClientFactory;
  repositories: Repositories;
  queues: QueueSender;
  storageHealth: StorageHealth;
  /** Every table and queue request the clients above made, counted as sent. */
  storageRequests: StorageRequestCounter;
}

/**
 * The storage part of the services container. Builds clients only (no network I/O);
 * `ensureStorage` is the separate async step the hosts run at start.
 */
export function createStorageServices(target: StorageTarget): StorageServices {
  // One credential for every client, so an identity's token is fetched and cached once.
  const common = target.kind === 'identity' ? { target, credential: createStorageCredential(target) } : { target };
  const storageRequests = new StorageRequestCounter();
  const tableClients = new TableClientFactory({ ...common, requestCounter: storageRequests });
  const queueClients = new QueueClientFactory({ ...common, requestCounter: storageRequests });
  return {
    tableClients,
    queueClients,
    repositories: createRepositories(tableClients),
    queues: new QueueSender({ queues: queueClients }),
    storageHealth: new StorageHealth(common),
    storageRequests,
  };
}
