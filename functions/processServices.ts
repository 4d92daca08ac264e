import { startTelemetry } from '../shared/platform/telemetry/startTelemetry';
import { createServices } from './compose';
import { processConfig } from './processConfig';
import type { Services } from './Services';

let services: Services | undefined;

/**
 * The services of this worker process, built on first use from the validated config. This
 * module is what `index.ts` loads lazily: it pulls in the composition root and every SDK.
 * Telemetry starts here, before the first handler (and its server span) runs; a no-op unless
 * telemetry is asked for.
 */
export function processServices(): Services {
  if (!services) {
    const config = processConfig();
    startTelemetry(config.settings);
    services = createServices({ config });
  }
  return services;
}
