import type { MetricReader } from '@opentelemetry/sdk-metrics';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Settings } from '../config/settingsSchema';
import { createStorageCredential } from '../storage/createStorageCredential';
import { aadClientIdOf } from './aadClientIdOf';

type TelemetrySettings = Pick<
  Settings,
  'OTEL_CONSOLE' | 'APPLICATIONINSIGHTS_CONNECTION_STRING' | 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
>;

/** What `startTelemetry` registered: flush both before a short-lived process ends. */
export interface StartedTelemetry {
  spanProcessors: SpanProcessor[];
  metricReaders: MetricReader[];
}

/** The console's metrics come often enough to watch while trying something; Application Insights' every minute (its default). */
const CONSOLE_METRICS_INTERVAL_MS = 10_000;

/**
 * Turns telemetry on where it is asked for. The SDK (and the Application Insights exporter) is
 * loaded only then: a process that exports nothing keeps `@opentelemetry/api`'s no-op spans and
 * instruments, and the cold start it had. Returns what it registered; nothing when off.
 */
export function startTelemetry(settings: TelemetrySettings): StartedTelemetry {
  const started: StartedTelemetry = { spanProcessors: [], metricReaders: [] };
  const connectionString = settings.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (!settings.OTEL_CONSOLE && !connectionString) return started;
  // Required here, not imported at the top (as createStorageCredential does): synchronous, so
  // it is in place before the first invocation, and the compiled app stays CommonJS.
  /* eslint-disable @typescript-eslint/no-require-imports -- a synchronous load only when asked for */
  const { registerTelemetry } = require('./registerTelemetry') as typeof import('./registerTelemetry');
  const sdk = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const metricsSdk = require('@opentelemetry/sdk-metrics') as typeof import('@opentelemetry/sdk-metrics');
  const { spanProcessors, metricReaders } = started;
  if (settings.OTEL_CONSOLE) {
    spanProcessors.push(new sdk.SimpleSpanProcessor(new sdk.ConsoleSpanExporter()));
    metricReaders.push(
      new metricsSdk.PeriodicExportingMetricReader({
        exporter: new metricsSdk.ConsoleMetricExporter(),
        exportIntervalMillis: CONSOLE_METRICS_INTERVAL_MS,
      }),
    );
  }
  if (connectionString) {
    const monitor = require('@azure/monitor-opentelemetry-exporter') as typeof import('@azure/monitor-opentelemetry-exporter');
    const identityClientId = aadClientIdOf(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING);
    const options = {
      connectionString,
      // The template turns local (key) auth off on the component (DisableLocalAuth), so the
      // ingestion endpoint takes only an Entra token; the identity holds Monitoring Metrics Publisher.
      ...(identityClientId === undefined ? {} : { credential: createStorageCredential({ clientId: identityClientId || undefined }) }),
      // No retry files on the Functions host's disk: a span lost with the instance is acceptable.
      disableOfflineStorage: true,
    };
    // The exporter throws on a connection string without an instrumentation key: telemetry
    // must never keep the functions from loading, so the app runs without export instead.
    try {
      const exporter = new monitor.AzureMonitorTraceExporter(options);
      const metricExporter = new monitor.AzureMonitorMetricExporter(options);
      // Before the exporter's processor, so the name is on the span when it is exported.
      const { OperationNameProcessor } = require('./OperationNameProcessor') as typeof import('./OperationNameProcessor');
      spanProcessors.push(new OperationNameProcessor(), new sdk.BatchSpanProcessor(exporter));
      metricReaders.push(new metricsSdk.PeriodicExportingMetricReader({ exporter: metricExporter }));
    } catch (error) {
      console.warn(
        `Application Insights export is off: ${error instanceof Error ? error.name : 'error'} (check APPLICATIONINSIGHTS_CONNECTION_STRING)`,
      );
    }
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
  registerTelemetry({ spanProcessors, metricReaders });
  return started;
}
