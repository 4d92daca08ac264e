import type { TableClient } from '@azure/data-tables';

/** The storage SDKs' core pipeline (core-rest-pipeline's), named through a client we depend on directly. */
export type StoragePipeline = TableClient['pipeline'];
type StoragePipelinePolicy = Parameters<StoragePipeline['addPolicy']>[0];

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
        const key = `${request.method} ${resource}${detailOf(resource, request.url)}`;
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

/** `/messages`, `/messages/{id}` or `/$batch` after the resource's name in the URL's path; empty otherwise. */
function detailOf(resource: string, url: string): string {
  const path = new URL(url).pathname;
  // A table transaction is posted to the account's `$batch`, not under the table's name.
  if (path.endsWith('/$batch')) return '/$batch';
  const at = path.indexOf(`/${resource}/`);
  if (at < 0) return '';
  const rest = path.slice(at + resource.length + 2).split('/');
  return rest[0] ? `/${rest[0]}${rest.length > 1 ? '/{id}' : ''}` : '';
}
