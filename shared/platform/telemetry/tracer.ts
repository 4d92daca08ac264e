import { trace, type Tracer } from '@opentelemetry/api';

export const TRACER_NAME = 'jira-outlook-cloud';

/** The app's one tracer; looked up on each use so a provider registered later still applies. */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}
