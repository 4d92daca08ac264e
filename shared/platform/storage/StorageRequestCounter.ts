import type { TableClient } from '@azure/data-tables';
import { storageRequestName } from './storageRequestName';

/** The storage SDKs' core pipeline (core-rest-pipeline's), named through a client we depend on directly. */
export type StoragePipeline = TableClient['pipeline'];
export type StoragePipelinePolicy = Parameters<StoragePipeline['addPolicy']>[0];

/**
 * Every request the table and queue clients send, retries included, counted by
 * `METHOD resource` (e.g. `POST jira-notify/messages`, `GET deliveries`): what a mail or a
 * webhook batch costs in storage transactions, as the app made them rather than estimated.
 * Keys name the table or queue only, never a key, a message or a query. In memory, per
 * process; the bench reads it through the app process's messages.
 */
export class StorageRequestCounter {
  private readonly counts = new Map<string, number>();

  /** Counts the requests of one client of `resource` (a table or queue name): after the retry policy, so each attempt. */
  countOn(pipeline: StoragePipeline, resource: string): void {
    pipeline.addPolicy(this.policyFor(resource), { afterPhase: 'Retry' });
  }

  private policyFor(resource: string): StoragePipelinePolicy {
    return {
      name: 'storageRequestCounter',
      sendRequest: (request, next) => {
        const key = storageRequestName(request.method, resource, request.url);
        this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
        return next(request);
      },
    };
  }

  /** The counts so far, by `METHOD resource`. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
