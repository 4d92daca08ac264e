import { loadConfig } from '../shared/platform/config/loadConfig';
import { createServices } from './compose';
import type { Services } from './Services';

let services: Services | undefined;

/**
 * The services of this worker process, built on first use from the environment. Config is
 * validated here, so a bad setting fails the first invocation loudly (and `index.ts` calls
 * this at start-up so the host reports it before any traffic).
 */
export function processServices(): Services {
  services ??= createServices({ config: loadConfig(process.env) });
  return services;
}
