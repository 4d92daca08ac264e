import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { queueNames } from '../../shared/platform/storage/queueNames';
import { registerTelemetry } from '../../shared/platform/telemetry/registerTelemetry';
import { exportedSpanStrings } from '../support/exportedSpanStrings';
import { FANOUT_CLIENT_STATE, startFanoutStack, waitFor, type FanoutStack } from '../support/fanoutStack';

/**
 * One mail end to end with telemetry exported to memory: Graph's POST to the webhook, the
 * `graph-notifications` message, the fan-out, the `jira-notify` message and Jira's notify
 * call are one trace, and nothing exported carries the mail, a secret or a query string.
 */
describe('telemetry: one mail is one trace', () => {
  const exporter = new InMemorySpanExporter();
  let stack: FanoutStack;

  beforeAll(async () => {
    expect(registerTelemetry({ spanProcessors: [new SimpleSpanProcessor(exporter)] })).toBe(true);
    stack = await startFanoutStack({ webhook: true });
  }, 120_000);
  afterAll(() => stack?.stop());

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
  }, 180_000);
});
