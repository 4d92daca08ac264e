import { SpanKind } from '@opentelemetry/api';
import { startTelemetry } from '../../shared/platform/telemetry/startTelemetry';
import { currentTraceparent } from '../../shared/platform/telemetry/traceparent';
import { withSpan } from '../../shared/platform/telemetry/withSpan';

/**
 * Child process of test/integration/applicationInsightsExport.test.ts: starts telemetry from
 * its environment as the app does, finishes one span named argv[2], flushes the exporters and
 * prints the span's trace id. A child, so NODE_TLS_REJECT_UNAUTHORIZED reaches Node's TLS
 * (jest hands a test a copy of process.env).
 */
async function main(): Promise<void> {
  const processors = startTelemetry({
    OTEL_CONSOLE: false,
    APPLICATIONINSIGHTS_CONNECTION_STRING: process.env.APPLICATIONINSIGHTS_CONNECTION_STRING,
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: process.env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING,
  });
  const traceparent = await withSpan({ name: process.argv[2] ?? 'span', kind: SpanKind.INTERNAL }, async () => currentTraceparent());
  await Promise.all(processors.map((processor) => processor.forceFlush()));
  await Promise.all(processors.map((processor) => processor.shutdown()));
  process.stdout.write(JSON.stringify({ processors: processors.length, traceId: traceparent?.split('-')[1] ?? null }) + '\n');
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.name : 'error'}\n`);
  process.exitCode = 1;
});
