import { SpanKind, SpanStatusCode, context } from '@opentelemetry/api';
import { markSpanFailed } from '../telemetry/markSpanFailed';
import { tracer } from '../telemetry/tracer';
import type { StoragePipeline, StoragePipelinePolicy } from './StorageRequestCounter';
import { storageRequestName } from './storageRequestName';

export type StorageService = 'table' | 'queue';

/**
 * A dependency span (kind client) per table or queue request, each attempt after the retry
 * policy: `GET deliveries`, `POST jira-notify/messages`, with the service, the table or queue,
 * the host and the answer's status. Never the URL: its path holds an entity's keys (tenant
 * and mailbox ids, hashes) and a SAS or the emulator's key could sit in its query. A 404 or
 * 409 is an answer the app expects (a row not there yet, an insert that lost a race), so only
 * a 5xx or no answer marks the span failed. A no-op until telemetry is started.
 */
export function traceStorageRequests(pipeline: StoragePipeline, service: StorageService, resource: string): void {
  pipeline.addPolicy(policyFor(service, resource), { afterPhase: 'Retry' });
}

function policyFor(service: StorageService, resource: string): StoragePipelinePolicy {
  return {
    name: 'storageRequestSpans',
    sendRequest: async (request, next) => {
      const span = tracer().startSpan(
        storageRequestName(request.method, resource, request.url),
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'az.namespace': 'Microsoft.Storage',
            'app.storage.service': service,
            'app.storage.resource': resource,
            'http.request.method': request.method,
            'server.address': new URL(request.url).hostname,
          },
        },
        context.active(),
      );
      try {
        const response = await next(request);
        span.setAttribute('http.response.status_code', response.status);
        if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        return response;
      } catch (error) {
        markSpanFailed(error, span);
        throw error;
      } finally {
        span.end();
      }
    },
  };
}
