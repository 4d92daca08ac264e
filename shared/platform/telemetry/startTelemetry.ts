import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Settings } from '../config/settingsSchema';
import { createStorageCredential } from '../storage/createStorageCredential';
import { aadClientIdOf } from './aadClientIdOf';

type TelemetrySettings = Pick<
  Settings,
  'OTEL_CONSOLE' | 'APPLICATIONINSIGHTS_CONNECTION_STRING' | 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
>;

/**
 * Turns telemetry on where it is asked for. The SDK (and the Application Insights exporter) is
 * loaded only then: a process that exports nothing keeps `@opentelemetry/api`'s no-op spans and
 * the cold start it had. Returns the processors registered, for a flush; none when off.
 */
export function startTelemetry(settings: TelemetrySettings): SpanProcessor[] {
  const connectionString = settings.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (!settings.OTEL_CONSOLE && !connectionString) return [];
  // Required here, not imported at the top (as createStorageCredential does): synchronous, so
  // it is in place before the first invocation, and the compiled app stays CommonJS.
  /* eslint-disable @typescript-eslint/no-require-imports -- a synchronous load only when asked for */
  const { registerTelemetry } = require('./registerTelemetry') as typeof import('./registerTelemetry');
  const sdk = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const processors: SpanProcessor[] = [];
  if (settings.OTEL_CONSOLE) processors.push(new sdk.SimpleSpanProcessor(new sdk.ConsoleSpanExporter()));
  if (connectionString) {
    const monitor = require('@azure/monitor-opentelemetry-exporter') as typeof import('@azure/monitor-opentelemetry-exporter');
    const identityClientId = aadClientIdOf(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING);
    // The exporter throws on a connection string without an instrumentation key: telemetry
    // must never keep the functions from loading, so the app runs without export instead.
    try {
      const exporter = new monitor.AzureMonitorTraceExporter({
        connectionString,
        // The template turns local (key) auth off on the component (DisableLocalAuth), so the
        // ingestion endpoint takes only an Entra token; the identity holds Monitoring Metrics Publisher.
        ...(identityClientId === undefined ? {} : { credential: createStorageCredential({ clientId: identityClientId || undefined }) }),
        // No retry files on the Functions host's disk: a span lost with the instance is acceptable.
        disableOfflineStorage: true,
      });
      // Before the exporter's processor, so the name is on the span when it is exported.
      const { OperationNameProcessor } = require('./OperationNameProcessor') as typeof import('./OperationNameProcessor');
      processors.push(new OperationNameProcessor(), new sdk.BatchSpanProcessor(exporter));
    } catch (error) {
      console.warn(
        `Application Insights export is off: ${error instanceof Error ? error.name : 'error'} (check APPLICATIONINSIGHTS_CONNECTION_STRING)`,
      );
    }
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
  registerTelemetry({ spanProcessors: processors });
  return processors;
}
