import { SpanKind } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { tableNames } from '../../shared/platform/storage/tableNames';
import { METRIC_NAMES } from '../../shared/platform/telemetry/appMetrics';
import { queueNames } from '../../shared/platform/storage/queueNames';
import { registerTelemetry } from '../../shared/platform/telemetry/registerTelemetry';
import { exportedSpanStrings } from '../support/exportedSpanStrings';
import { parseLogRecord } from '../support/logRecords';
import { FANOUT_CLIENT_STATE, startFanoutStack, waitFor, type FanoutStack } from '../support/fanoutStack';

/**
 * One mail end to end with telemetry exported to memory: Graph's POST to the webhook, the
 * `graph-notifications` message, the fan-out, the `jira-notify` message and Jira's notify
 * call are one trace, and nothing exported carries the mail, a secret or a query string.
 */
describe('telemetry: one mail is one trace', () => {
  const exporter = new InMemorySpanExporter();
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // Exported when the test flushes it, not on a timer.
  const metricReader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  let stack: FanoutStack;

  beforeAll(async () => {
    expect(registerTelemetry({ spanProcessors: [new SimpleSpanProcessor(exporter)], metricReaders: [metricReader] })).toBe(true);
    stack = await startFanoutStack({ webhook: true });
  }, 120_000);
  afterAll(async () => {
    await metricReader.shutdown();
    await stack?.stop();
  });

  /** The app's metrics as last exported: name → data points' (attributes, value). */
  async function exportedMetrics(): Promise<Map<string, MetricData>> {
    await metricReader.forceFlush();
    const latest = metricExporter.getMetrics().at(-1);
    return new Map((latest?.scopeMetrics ?? []).flatMap((scope) => scope.metrics).map((metric) => [metric.descriptor.name, metric]));
  }

  it('the webhook request, both queue messages and the Jira notify call share one trace id, and no attribute holds the mail', async () => {
    const scenario = await stack.newScenario();
    stack.addIssue('TEL-1', ['bob', 'carol']);
    await stack.link(scenario, 'TEL-1');
    const message = stack.mail(scenario, { from: 'Alice Sender <alice.sender@example.test>', subject: 'Merger plans for Contoso' });
    const mail = stack.graph.state.mails.get(message.messageId)!;

    // As Graph posts a change notification (no traceparent: the webhook starts the trace).
    const response = await fetch(`${stack.host!.url}/api/graph/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        value: [
          {
            subscriptionId: scenario.subscriptionId,
            clientState: FANOUT_CLIENT_STATE,
            changeType: 'created',
            resource: message.resource,
            tenantId: scenario.tenantId,
            resourceData: { id: message.messageId },
          },
        ],
      }),
    });
    expect(response.status).toBe(202);

    await waitFor(async () => {
      const sent = stack.notifications.outbox.some((entry) => entry.issueKey === 'TEL-1');
      const queued = (await stack.count(queueNames.graphNotifications)) + (await stack.count(queueNames.jiraNotify));
      return sent && queued === 0 ? true : undefined;
    }, 'the notification sent and the queues empty');
    // The consumer span ends after its handler returns: wait for the jira-notify one.
    const spans = await waitFor(() => {
      const finished = exporter.getFinishedSpans();
      return finished.some((span) => span.attributes['messaging.destination.name'] === queueNames.jiraNotify) ? finished : undefined;
    }, 'the jira-notify span');

    const webhook = spans.filter((span) => span.kind === SpanKind.SERVER && span.attributes['http.route'] === 'graph/notifications');
    expect(webhook).toHaveLength(1);
    const traceId = webhook[0]!.spanContext().traceId;
    const inTrace = spans.filter((span) => span.spanContext().traceId === traceId);
    const consumed = (queue: string) =>
      inTrace.filter((span) => span.kind === SpanKind.CONSUMER && span.attributes['messaging.destination.name'] === queue);
    expect(consumed(queueNames.graphNotifications)).toHaveLength(1);
    expect(consumed(queueNames.jiraNotify)).toHaveLength(1);
    expect(consumed(queueNames.jiraNotify)[0]!.attributes).toMatchObject({ 'app.tenant_id': scenario.tenantId, 'app.instance_id': 'demo' });
    const notifyCalls = inTrace.filter((span) => span.kind === SpanKind.CLIENT && String(span.attributes['url.path']).endsWith('/notify'));
    expect(notifyCalls).toHaveLength(1);
    expect(notifyCalls[0]!.attributes['http.response.status_code']).toBe(204);
    // The jira-notify message was taken inside the fan-out's trace, and the notify call inside its message's span.
    expect(consumed(queueNames.jiraNotify)[0]!.parentSpanContext?.traceId).toBe(traceId);

    // The correlation id reached Jira: its notify request carried the trace's traceparent.
    const jiraNotify = stack.jira.requests.filter((request) => request.url.includes('/issue/TEL-1/notify'));
    expect(jiraNotify).toHaveLength(1);
    expect(String(jiraNotify[0]!.headers.traceparent)).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    // Every span of this mail's tenant is in that one trace.
    const ofTenant = spans.filter((span) => span.attributes['app.tenant_id'] === scenario.tenantId);
    expect(ofTenant.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ofTenant.map((span) => span.spanContext().traceId))).toEqual(new Set([traceId]));

    const forbidden = [
      'Merger plans',
      'alice.sender',
      'Alice Sender',
      mail.bodyPreview,
      mail.internetMessageId,
      FANOUT_CLIENT_STATE,
      stack.env.GRAPH_CLIENT_SECRET!,
      stack.env.DATA_ENCRYPTION_KEY!.slice(3),
    ];
    for (const span of spans)
      for (const value of exportedSpanStrings(span)) {
        for (const secret of forbidden) expect(value).not.toContain(secret);
        expect(value).not.toMatch(/\?|Bearer|oauth_signature/i);
      }

    // The log records of this mail carry the ids an operator filters by, and the trace id of its spans.
    const records = stack.log.lines.map(parseLogRecord).filter((record) => record !== undefined);
    const ofMail = records.filter((record) => record.attributes.tenantId === scenario.tenantId);
    const fromQueue = (queue: string) => ofMail.filter((record) => record.attributes.queue === queue);
    expect(fromQueue(queueNames.graphNotifications).map((record) => record.message)).toEqual([
      expect.stringMatching(/queued 1 notification\(s\)/),
    ]);
    const notified = fromQueue(queueNames.jiraNotify);
    expect(notified.map((record) => record.message)).toEqual([expect.stringMatching(/notified 2 watcher\(s\)/)]);
    const { invocationId, ...ids } = notified[0]!.attributes;
    expect(ids).toEqual({ tenantId: scenario.tenantId, instanceId: 'demo', queue: queueNames.jiraNotify, issueKey: 'TEL-1', traceId });
    expect(invocationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(ofMail.map((record) => record.attributes.traceId))).toEqual(new Set([traceId]));
    // The webhook's own record (a batch may hold several tenants: no tenant) is in the same trace.
    expect(records.some((record) => /notifications: queued 1/.test(record.message) && record.attributes.traceId === traceId)).toBe(true);
    for (const record of ofMail) {
      for (const value of Object.values(record.attributes).map(String)) for (const secret of forbidden) expect(value).not.toContain(secret);
      expect(record.message).not.toContain('Merger plans');
    }

    // Storage calls are dependencies of the trace too: the deliveries ledger and the jira-notify
    // queue, named by table or queue and the kind of call, with the status, never an entity's keys.
    const storage = inTrace.filter((span) => span.kind === SpanKind.CLIENT && span.attributes['az.namespace'] === 'Microsoft.Storage');
    expect(storage.map((span) => span.name)).toEqual(
      expect.arrayContaining([
        `POST ${queueNames.jiraNotify}/messages`,
        expect.stringMatching(new RegExp(`^(GET|POST|PUT|PATCH) ${tableNames.deliveries}`)),
      ]),
    );
    const enqueue = storage.find((span) => span.name === `POST ${queueNames.jiraNotify}/messages`)!;
    expect(enqueue.attributes).toMatchObject({
      'app.storage.service': 'queue',
      'app.storage.resource': queueNames.jiraNotify,
      'http.request.method': 'POST',
      'http.response.status_code': 201,
    });
    for (const span of storage) {
      expect(Object.keys(span.attributes).filter((key) => key.startsWith('url.'))).toEqual([]);
      for (const value of exportedSpanStrings(span)) {
        expect(value).not.toContain(scenario.tenantId);
        expect(value).not.toContain(scenario.userId);
        expect(value).not.toMatch(/PartitionKey|RowKey|\(/);
      }
    }

    // The metrics count what happened: one notification accepted, one delivery sent.
    const metrics = await exportedMetrics();
    const points = (name: string) =>
      (metrics.get(name)?.dataPoints ?? []).map((point) => ({ attributes: point.attributes, value: point.value }));
    expect(points(METRIC_NAMES.notificationsAccepted)).toEqual([{ attributes: { kind: 'notifications' }, value: 1 }]);
    expect(points(METRIC_NAMES.deliveriesSent)).toEqual([{ attributes: {}, value: 1 }]);
    expect(metrics.get(METRIC_NAMES.deliveriesFailed)).toBeUndefined();
  }, 180_000);

  it('counts what the webhook drops, by reason', async () => {
    const scenario = await stack.newScenario();
    const response = await fetch(`${stack.host!.url}/api/graph/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        value: [
          {
            subscriptionId: scenario.subscriptionId,
            clientState: 'not-the-client-state',
            changeType: 'created',
            resource: 'Users/x/Messages/y',
            tenantId: scenario.tenantId,
            resourceData: { id: 'y' },
          },
        ],
      }),
    });
    expect(response.status).toBe(202);
    const metrics = await exportedMetrics();
    const dropped = metrics.get(METRIC_NAMES.notificationsDropped);
    expect(dropped?.dataPoints.map((point) => ({ attributes: point.attributes, value: point.value }))).toEqual([
      { attributes: { kind: 'notifications', reason: 'clientStateMismatch' }, value: 1 },
    ]);
    expect(dropped?.dataPointType).toBe(DataPointType.SUM);
  }, 60_000);
});
