import type { TokenCredential } from '@azure/identity';
import { QueueClient, type StorageRetryOptions } from '@azure/storage-queue';
import { ConfigError } from '../config/ConfigError';
import type { StorageTarget } from '../config/storageTarget';
import { connectionStringEndpoint } from './connectionStringEndpoint';
import { createStorageCredential } from './createStorageCredential';
import type { StoragePipeline, StorageRequestCounter } from './StorageRequestCounter';
import { traceStorageRequests } from './StorageRequestSpans';

export type QueueRetryOptions = StorageRetryOptions;

/** The SDK's default waits 4 s and more between tries; an enqueue inside an HTTP request cannot. */
const DEFAULT_RETRY: QueueRetryOptions = { maxTries: 4, retryDelayInMs: 500, maxRetryDelayInMs: 4000, tryTimeoutInMs: 30_000 };

export interface QueueClientFactoryInit {
  target: StorageTarget;
  /** For identity-based targets; share one with the table factory so a token is fetched once. */
  credential?: TokenCredential;
  retryOptions?: QueueRetryOptions;
  /** Counts every request of every client built here (retries included). */
  requestCounter?: StorageRequestCounter;
}

/**
 * A `QueueClient` with its core pipeline in reach: the SDK keeps it in a protected member, and
 * every operation (the per-message delete's context too) runs through it. The factory adds its
 * policies there; the puts and deletes of the hot path (`queue/`) are sent through it.
 */
export class StorageQueueClient extends QueueClient {
  get corePipeline(): StoragePipeline {
    return this.storageClientContext.pipeline;
  }
}

/**
 * One `QueueClient` per queue name, built from the same settings the Functions host reads
 * (so we write to the queues its triggers read). Building a client does no network I/O.
 */
export class QueueClientFactory {
  /** The queue service endpoint, e.g. for a log line at start-up. */
  readonly endpoint: string;
  private readonly clients = new Map<string, StorageQueueClient>();
  private readonly build: (queueName: string) => StorageQueueClient;
  private readonly requestCounter: StorageRequestCounter | undefined;

  constructor(init: QueueClientFactoryInit) {
    this.requestCounter = init.requestCounter;
    const { target } = init;
    const retryOptions = init.retryOptions ?? DEFAULT_RETRY;
    if (target.kind === 'connectionString') {
      this.endpoint = connectionStringEndpoint(target.connectionString, 'queue');
      this.build = (queueName) => {
        try {
          return new StorageQueueClient(target.connectionString, queueName, { retryOptions });
        } catch {
          // The SDK's message is dropped on purpose: it may quote the account key.
          throw new ConfigError(['AzureWebJobsStorage: not a usable storage connection string']);
        }
      };
    } else {
      const credential = init.credential ?? createStorageCredential(target);
      this.endpoint = target.queueServiceUri;
      this.build = (queueName) => new StorageQueueClient(`${target.queueServiceUri}/${queueName}`, credential, { retryOptions });
    }
  }

  get(queueName: string): StorageQueueClient {
    let client = this.clients.get(queueName);
    if (!client) {
      client = this.build(queueName);
      this.requestCounter?.countOn(client.corePipeline, queueName);
      traceStorageRequests(client.corePipeline, 'queue', queueName);
      this.clients.set(queueName, client);
    }
    return client;
  }
}
