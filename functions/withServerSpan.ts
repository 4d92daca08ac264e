import { SpanKind, type Attributes } from '@opentelemetry/api';
import { contextFromTraceparent } from '../shared/platform/telemetry/traceparent';
import { withSpan } from '../shared/platform/telemetry/withSpan';
import { queueMessageIds } from './queueMessageIds';
import type { FunctionDefinition, HttpServiceHandler, QueueServiceHandler, TimerServiceHandler } from './FunctionDefinition';

/**
 * The server span of every invocation: an HTTP request continues the caller's
 * `traceparent`, a queue message the one the sender wrote into it, a timer starts a trace.
 * Attributes are the route template (never the URL: its query can hold a token), the
 * queue, and the tenant and instance a message names.
 */
export function withServerSpan(definition: FunctionDefinition): FunctionDefinition {
  switch (definition.kind) {
    case 'http': {
      const { handler, route, name } = definition;
      const traced: HttpServiceHandler = (request, context, services) => {
        const method = request.method.toUpperCase();
        const attributes: Attributes = { 'faas.trigger': 'http', 'faas.name': name, 'http.request.method': method, 'http.route': route };
        const parent = contextFromTraceparent(request.headers.get('traceparent'));
        return withSpan({ name: `${method} /api/${route}`, kind: SpanKind.SERVER, attributes, parent }, async (span) => {
          const response = await handler(request, context, services);
          span.setAttribute('http.response.status_code', response.status ?? 200);
          return response;
        });
      };
      return { ...definition, handler: traced };
    }
    case 'queue': {
      const { handler, queueName, name } = definition;
      const traced: QueueServiceHandler = (message, context, services) => {
        const fields = queueMessageIds(message);
        const attributes: Attributes = {
          'faas.trigger': 'pubsub',
          'faas.name': name,
          'messaging.system': 'azure_queue',
          'messaging.destination.name': queueName,
          ...(fields.tenantId === undefined ? {} : { 'app.tenant_id': fields.tenantId }),
          ...(fields.instanceId === undefined ? {} : { 'app.instance_id': fields.instanceId }),
        };
        const parent = contextFromTraceparent(fields.traceparent);
        return withSpan({ name: `process ${queueName}`, kind: SpanKind.CONSUMER, attributes, parent }, () =>
          handler(message, context, services),
        );
      };
      return { ...definition, handler: traced };
    }
    case 'timer': {
      const { handler, name } = definition;
      const traced: TimerServiceHandler = (timer, context, services) =>
        withSpan({ name: `timer ${name}`, kind: SpanKind.INTERNAL, attributes: { 'faas.trigger': 'timer', 'faas.name': name } }, () =>
          handler(timer, context, services),
        );
      return { ...definition, handler: traced };
    }
  }
}
