import type { Settings } from '../config/settingsSchema';

/**
 * Turns telemetry on where it is asked for. The SDK is loaded only then: a process that
 * exports nothing keeps `@opentelemetry/api`'s no-op spans and the cold start it had.
 */
export function startTelemetry(settings: Pick<Settings, 'OTEL_CONSOLE'>): boolean {
  if (!settings.OTEL_CONSOLE) return false;
  // Required here, not imported at the top (as createStorageCredential does): synchronous, so
  // it is in place before the first invocation, and the compiled app stays CommonJS.
  /* eslint-disable @typescript-eslint/no-require-imports -- a synchronous load only when asked for */
  const { registerTelemetry } = require('./registerTelemetry') as typeof import('./registerTelemetry');
  const sdk = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return registerTelemetry({ spanProcessors: [new sdk.SimpleSpanProcessor(new sdk.ConsoleSpanExporter())] });
}
