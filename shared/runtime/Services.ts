import type { BearerAuthenticator } from '../auth/BearerAuthenticator';
import type { AppConfig } from '../config/loadConfig';
import type { SecretBox } from '../crypto/SecretBox';
import type { OutboundClient } from '../http/OutboundClient';
import type { Clock } from './Clock';

/**
 * Everything a function needs, built once per process by `createServices` and handed to
 * every handler. Tests build their own with real parts pointed at Azurite and simulators.
 */
export interface Services {
  config: AppConfig;
  clock: Clock;
  /** Validates the add-in's bearer tokens; one per process so the signing keys stay cached. */
  auth: BearerAuthenticator;
  http: OutboundClient;
  secrets: SecretBox;
}
