import { HttpRequest, InvocationContext } from '@azure/functions';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createServices } from '../../../functions/compose';
import type { Services } from '../../../functions/Services';
import { wrapFunction } from '../../../functions/wrapFunction';
import { loadConfig } from '../../../shared/platform/config/loadConfig';
import { AppError } from '../../../shared/platform/errors/AppError';
import { queueNames } from '../../../shared/platform/storage/queueNames';
import { registerTelemetry } from '../../../shared/platform/telemetry/registerTelemetry';

const exporter = new InMemorySpanExporter();
const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const context = () => new InvocationContext({ functionName: 'probe', logHandler: () => undefined });

describe('every wrapped function has its server span', () => {
  let services: Services;

  beforeAll(() => {
    expect(registerTelemetry({ spanProcessors: [new SimpleSpanProcessor(exporter)] })).toBe(true);
    services = createServices({
      config: loadConfig({
        AzureWebJobsStorage: 'UseDevelopmentStorage=true',
        DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 4).toString('base64')}`,
        PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
        API_AUDIENCE: 'api://span-test',
        GRAPH_CLIENT_ID: '00000000-0000-4000-8000-000000000009',
        GRAPH_CLIENT_SECRET: 'test-only',
      }),
    });
  });
  beforeEach(() => exporter.reset());
  afterAll(() => services.http.close());

  it("an HTTP request: the route template, never the URL's query; the caller's traceparent continued; the edge's problem code", async () => {
    const wrapped = wrapFunction({
      kind: 'http',
      name: 'probe',
      route: 'probe/{id}',
      methods: ['GET'],
      handler: () => Promise.reject(new AppError({ code: 'upstream_unreachable', detail: 'jira.example?token=s3cret' })),
    });
    if (wrapped.kind !== 'http') throw new Error('not http');
    const request = new HttpRequest({
      method: 'GET',
      url: 'http://127.0.0.1:7071/api/probe/7?token=s3cret',
      headers: { traceparent: PARENT },
    });
    const response = await wrapped.handler(request, context(), services);
    expect(response.status).toBe(502);

    const [span] = exporter.getFinishedSpans();
    expect(span!.name).toBe('GET /api/probe/{id}');
    expect(span!.kind).toBe(SpanKind.SERVER);
    expect(span!.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(span!.attributes).toMatchObject({
      'http.route': 'probe/{id}',
      'http.request.method': 'GET',
      'http.response.status_code': 502,
      'app.problem_code': 'upstream_unreachable',
    });
    expect(JSON.stringify([span!.name, span!.attributes, span!.events])).not.toMatch(/s3cret|token|\?/);
  });

  it('a queue message: its traceparent continued, its queue, tenant and instance; an overlong id left out', async () => {
    const wrapped = wrapFunction({ kind: 'queue', name: 'notify', queueName: queueNames.jiraNotify, handler: async () => undefined });
    if (wrapped.kind !== 'queue') throw new Error('not queue');
    await wrapped.handler(
      { traceparent: PARENT, tenantId: 'tenant-1', instanceId: 'x'.repeat(65), mail: { subject: 'Merger' } },
      context(),
      services,
    );
    await wrapped.handler('not even an object', context(), services);

    const [first, second] = exporter.getFinishedSpans();
    expect(first!.kind).toBe(SpanKind.CONSUMER);
    expect(first!.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(first!.attributes).toEqual({
      'faas.trigger': 'pubsub',
      'faas.name': 'notify',
      'messaging.system': 'azure_queue',
      'messaging.destination.name': queueNames.jiraNotify,
      'app.tenant_id': 'tenant-1',
    });
    expect(second!.parentSpanContext).toBeUndefined();
  });

  it('a failed queue message is marked failed and the error reaches the host unchanged (it decides the retry)', async () => {
    const error = new Error('Merger plans');
    const wrapped = wrapFunction({ kind: 'queue', name: 'notify', queueName: queueNames.jiraNotify, handler: () => Promise.reject(error) });
    if (wrapped.kind !== 'queue') throw new Error('not queue');
    await expect(wrapped.handler({ tenantId: 't' }, context(), services)).rejects.toBe(error);
    const [span] = exporter.getFinishedSpans();
    expect(span!.status.code).toBe(2);
    expect(span!.attributes['exception.type']).toBe('Error');
    expect(JSON.stringify(span!.events)).not.toContain('Merger');
  });
});
