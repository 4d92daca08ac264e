import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { registerTelemetry } from '../../../../../shared/platform/telemetry/registerTelemetry';
import { contextFromTraceparent, currentTraceparent } from '../../../../../shared/platform/telemetry/traceparent';
import { withSpan } from '../../../../../shared/platform/telemetry/withSpan';

const exporter = new InMemorySpanExporter();
const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

beforeAll(() => {
  expect(registerTelemetry({ spanProcessors: [new SimpleSpanProcessor(exporter)] })).toBe(true);
});
beforeEach(() => exporter.reset());

describe('traceparent in and out', () => {
  it('outside any span there is nothing to carry', () => {
    expect(currentTraceparent()).toBeUndefined();
  });

  it("a span continued from a message's traceparent has its trace id and hands on its own span id", async () => {
    const carried = await withSpan({ name: 'process q', kind: SpanKind.CONSUMER, parent: contextFromTraceparent(PARENT) }, async (span) => {
      expect(currentTraceparent()).toBe(`00-0af7651916cd43dd8448eb211c80319c-${span.spanContext().spanId}-01`);
      return currentTraceparent();
    });
    const [span] = exporter.getFinishedSpans();
    expect(span!.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    // A child's own work inherits the trace across awaits.
    await withSpan({ name: 'next', kind: SpanKind.CONSUMER, parent: contextFromTraceparent(carried) }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(trace.getActiveSpan()?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    });
  });

  it.each([undefined, 42, '', 'not-a-traceparent', `${PARENT}; foo=bar`, PARENT.toUpperCase()])(
    'a missing or malformed traceparent (%p) starts a new trace instead of failing',
    async (value) => {
      await withSpan({ name: 'process q', kind: SpanKind.CONSUMER, parent: contextFromTraceparent(value) }, async () => undefined);
      const [span] = exporter.getFinishedSpans();
      expect(span!.parentSpanContext).toBeUndefined();
      expect(span!.spanContext().traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
    },
  );
});
