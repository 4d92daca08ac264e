import { loadConfig, type AppConfig } from '../shared/platform/config/loadConfig';
import { toGraphNotificationSettings } from '../shared/mail/webhooks/toGraphNotificationSettings';

let config: AppConfig | undefined;

/**
 * The validated config of this worker process, read from the environment once. Cheap (the
 * settings schema and the checks across settings the composition root would otherwise make
 * on first use), so `index.ts` validates at start and a bad setting still stops the worker
 * before any traffic, while the services wait for their first use.
 */
export function processConfig(): AppConfig {
  if (!config) {
    const loaded = loadConfig(process.env);
    toGraphNotificationSettings(loaded.settings);
    config = loaded;
  }
  return config;
}
