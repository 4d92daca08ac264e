import { SpanKind } from '@opentelemetry/api';
import { startTelemetry } from '../../../../../shared/platform/telemetry/startTelemetry';
import { currentTraceparent } from '../../../../../shared/platform/telemetry/traceparent';
import { withSpan } from '../../../../../shared/platform/telemetry/withSpan';

const off = { OTEL_CONSOLE: false, APPLICATIONINSIGHTS_CONNECTION_STRING: undefined, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: undefined };

/** In this order: the process-wide provider can be registered once. */
describe('startTelemetry: spans only when asked for', () => {
  it('without OTEL_CONSOLE or a connection string nothing is registered nor loaded: spans stay no-ops', async () => {
    expect(startTelemetry(off)).toEqual({ spanProcessors: [], metricReaders: [] });
    expect(await withSpan({ name: 'quiet', kind: SpanKind.INTERNAL }, async () => currentTraceparent())).toBeUndefined();
    expect(Object.keys(require.cache).filter((path) => /monitor-opentelemetry-exporter|sdk-trace-base|sdk-metrics/.test(path))).toEqual([]);
  });

  it('with OTEL_CONSOLE every finished span is printed to the console, and the exporter is not loaded', async () => {
    const printed: unknown[] = [];
    const dir = jest.spyOn(console, 'dir').mockImplementation((value: unknown) => void printed.push(value));
    try {
      const started = startTelemetry({ ...off, OTEL_CONSOLE: true });
      expect(started.spanProcessors).toHaveLength(1);
      expect(started.metricReaders).toHaveLength(1);
      const traceparent = await withSpan({ name: 'process jira-notify', kind: SpanKind.CONSUMER }, async () => currentTraceparent());
      expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(printed).toEqual([expect.objectContaining({ name: 'process jira-notify', traceId: traceparent!.split('-')[1] })]);
      expect(Object.keys(require.cache).filter((path) => path.includes('monitor-opentelemetry-exporter'))).toEqual([]);
    } finally {
      dir.mockRestore();
    }
  });
});
