import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider, type MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Makes the process's spans and metrics real: without this call `@opentelemetry/api` hands
 * out no-op spans and instruments, so a process that exports nothing pays nothing. The
 * async-local context carries the active span across awaits (a queue send inside a handler
 * finds its trace), and the W3C propagator reads and writes `traceparent`. Registered once per
 * process; a second call (another composition in the same process) is refused by the API and
 * returns false.
 */
export function registerTelemetry(init: { spanProcessors: SpanProcessor[]; metricReaders?: MetricReader[] }): boolean {
  if (init.spanProcessors.length === 0) return false;
  const provider = new BasicTracerProvider({ spanProcessors: init.spanProcessors });
  if (!trace.setGlobalTracerProvider(provider)) return false;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const readers = init.metricReaders ?? [];
  if (readers.length > 0) metrics.setGlobalMeterProvider(new MeterProvider({ readers }));
  return true;
}
