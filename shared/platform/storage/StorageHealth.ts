import { odata } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { StorageTarget } from '../config/storageTarget';
import { QueueClientFactory } from './QueueClientFactory';
import { queueNames } from './queueNames';
import { TableClientFactory } from './TableClientFactory';
import { tableNames } from './tableNames';

export type HealthState = 'ok' | 'unavailable';

export interface StorageHealthResult {
  ok: boolean;
  checks: { tables: HealthState; queues: HealthState };
}

export interface StorageHealthInit {
  target: StorageTarget;
  credential?: TokenCredential;
  /** Bound on each check, retry included. */
  timeoutMs?: number;
  /** Pause before the one retry. */
  retryDelayMs?: number;
}

/**
 * One cheap call each to tables and queues, with its own clients: at most one retry and a
 * short deadline, so a probe gets its 503 in seconds when storage is down instead of
 * waiting out the app clients' back-off.
 */
export class StorageHealth {
  private readonly tables: TableClientFactory;
  private readonly queues: QueueClientFactory;
  private readonly timeoutMs: number;

  constructor(init: StorageHealthInit) {
    this.timeoutMs = init.timeoutMs ?? 3000;
    const retryDelayMs = init.retryDelayMs ?? 200;
    const common = init.credential ? { target: init.target, credential: init.credential } : { target: init.target };
    this.tables = new TableClientFactory({
      ...common,
      retryOptions: { maxRetries: 1, retryDelayInMs: retryDelayMs, maxRetryDelayInMs: retryDelayMs },
    });
    this.queues = new QueueClientFactory({
      ...common,
      retryOptions: { maxTries: 2, retryDelayInMs: retryDelayMs, maxRetryDelayInMs: retryDelayMs, tryTimeoutInMs: this.timeoutMs },
    });
  }

  async check(): Promise<StorageHealthResult> {
    const [tables, queues] = await Promise.all([this.probe(() => this.probeTables()), this.probe(() => this.probeQueues())]);
    return { ok: tables === 'ok' && queues === 'ok', checks: { tables, queues } };
  }

  /** One page of at most one row from an empty partition: a 200 proves the table answers. */
  private async probeTables(): Promise<void> {
    const pages = this.tables
      .get(tableNames.instances)
      .listEntities({
        queryOptions: { filter: odata`PartitionKey eq ${''}`, select: ['PartitionKey'] },
        abortSignal: AbortSignal.timeout(this.timeoutMs),
      })
      .byPage({ maxPageSize: 1 });
    await pages.next();
  }

  private async probeQueues(): Promise<void> {
    await this.queues.get(queueNames.graphNotifications).getProperties({ abortSignal: AbortSignal.timeout(this.timeoutMs) });
  }

  private async probe(call: () => Promise<void>): Promise<HealthState> {
    try {
      await call();
      return 'ok';
    } catch {
      return 'unavailable';
    }
  }
}
