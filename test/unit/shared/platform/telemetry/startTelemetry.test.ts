import { SpanKind } from '@opentelemetry/api';
import { startTelemetry } from '../../../../../shared/platform/telemetry/startTelemetry';
import { currentTraceparent } from '../../../../../shared/platform/telemetry/traceparent';
import { withSpan } from '../../../../../shared/platform/telemetry/withSpan';

/** In this order: the process-wide provider can be registered once. */
describe('startTelemetry: spans only when asked for', () => {
  it('without OTEL_CONSOLE nothing is registered: spans stay no-ops and carry no traceparent', async () => {
    expect(startTelemetry({ OTEL_CONSOLE: false })).toBe(false);
    expect(await withSpan({ name: 'quiet', kind: SpanKind.INTERNAL }, async () => currentTraceparent())).toBeUndefined();
  });

  it('with OTEL_CONSOLE every finished span is printed to the console', async () => {
    const printed: unknown[] = [];
    const dir = jest.spyOn(console, 'dir').mockImplementation((value: unknown) => void printed.push(value));
    try {
      expect(startTelemetry({ OTEL_CONSOLE: true })).toBe(true);
      const traceparent = await withSpan({ name: 'process jira-notify', kind: SpanKind.CONSUMER }, async () => currentTraceparent());
      expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(printed).toEqual([expect.objectContaining({ name: 'process jira-notify', traceId: traceparent!.split('-')[1] })]);
    } finally {
      dir.mockRestore();
    }
  });
});
