import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import { ConfigError } from '../config/ConfigError';
import type { StorageTarget } from '../config/storageTarget';
import { connectionStringEndpoint, isInsecureEndpoint } from './connectionStringEndpoint';
import { createStorageCredential } from './createStorageCredential';
import type { StorageRequestCounter } from './StorageRequestCounter';
import { traceStorageRequests } from './StorageRequestSpans';

export type TableRetryOptions = NonNullable<TableServiceClientOptions['retryOptions']>;

/** Shorter than the SDK's (up to a minute of back-off): a caller waiting on an HTTP answer gives up sooner. */
const DEFAULT_RETRY: TableRetryOptions = { maxRetries: 3, retryDelayInMs: 500, maxRetryDelayInMs: 4000 };

export interface TableClientFactoryInit {
  target: StorageTarget;
  /** For identity-based targets; share one with the queue factory so a token is fetched once. */
  credential?: TokenCredential;
  retryOptions?: TableRetryOptions;
  /** Counts every request of every client built here (retries included). */
  requestCounter?: StorageRequestCounter;
}

/**
 * One `TableClient` per table, built from the same settings the Functions host reads.
 * Building a client does no network I/O.
 */
export class TableClientFactory {
  /** The table service endpoint, e.g. for a log line at start-up. */
  readonly endpoint: string;
  private readonly clients = new Map<string, TableClient>();
  private readonly build: (table: string) => TableClient;
  private readonly requestCounter: StorageRequestCounter | undefined;

  constructor(init: TableClientFactoryInit) {
    this.requestCounter = init.requestCounter;
    const { target } = init;
    const retryOptions = init.retryOptions ?? DEFAULT_RETRY;
    if (target.kind === 'connectionString') {
      const tableEndpoint = connectionStringEndpoint(target.connectionString, 'table');
      this.endpoint = tableEndpoint;
      const allowInsecureConnection = isInsecureEndpoint(tableEndpoint);
      this.build = (table) => {
        try {
          // A fresh options object each time: the SDK writes into it for UseDevelopmentStorage.
          return TableClient.fromConnectionString(target.connectionString, table, { retryOptions, allowInsecureConnection });
        } catch {
          // The SDK's message is dropped on purpose: it may quote the account key.
          throw new ConfigError(['AzureWebJobsStorage: not a usable storage connection string']);
        }
      };
    } else {
      const credential = init.credential ?? createStorageCredential(target);
      this.endpoint = target.tableServiceUri;
      // No http opt-in here: the SDK never sends a bearer token over plain http.
      this.build = (table) => new TableClient(target.tableServiceUri, table, credential, { retryOptions });
    }
  }

  get(table: string): TableClient {
    let client = this.clients.get(table);
    if (!client) {
      client = this.build(table);
      this.requestCounter?.countOn(client.pipeline, table);
      traceStorageRequests(client.pipeline, 'table', table);
      this.clients.set(table, client);
    }
    return client;
  }
}
