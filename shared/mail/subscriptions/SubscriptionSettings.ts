import { ConfigError } from '../../platform/config/ConfigError';
import { subscriptionLifetime } from './subscriptionLifetime';

export interface RichNotificationSettings {
  /** Base64 DER of the certificate Graph encrypts resource data with. */
  certificate: string;
  /** Our name for it; Graph echoes it in every encrypted item, so we know which key to use. */
  certificateId: string;
}

export interface SubscriptionSettings {
  /** `PUBLIC_BASE_URL`, the app's root (no `/api`), no trailing slash. */
  publicBaseUrl: string;
  /** The lifetime asked for on creation and renewal, within Graph's maximum for the kind. */
  subscriptionMinutes: number;
  renewalWindowMinutes: number;
  /** Present when the deployment receives rich notifications. */
  richNotifications: RichNotificationSettings | undefined;
}

interface SettingsSource {
  PUBLIC_BASE_URL: string;
  GRAPH_SUBSCRIPTION_MINUTES?: number | undefined;
  GRAPH_RENEWAL_WINDOW_MINUTES: number;
  GRAPH_ENCRYPTION_CERTIFICATE?: string | undefined;
  GRAPH_ENCRYPTION_CERTIFICATE_ID?: string | undefined;
}

/**
 * The subscription part of the settings. What the schema cannot see alone is refused here,
 * at start-up, every problem at once: a certificate without its id, a lifetime Graph would
 * refuse for the kind of subscription configured, a renewal window that does not fit it.
 */
export function toSubscriptionSettings(settings: SettingsSource): SubscriptionSettings {
  const certificate = settings.GRAPH_ENCRYPTION_CERTIFICATE?.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '');
  const certificateId = settings.GRAPH_ENCRYPTION_CERTIFICATE_ID;
  const problems: string[] = [];
  if (certificate && !certificateId) problems.push('GRAPH_ENCRYPTION_CERTIFICATE_ID: required with GRAPH_ENCRYPTION_CERTIFICATE');
  const lifetime = subscriptionLifetime({
    requestedMinutes: settings.GRAPH_SUBSCRIPTION_MINUTES,
    renewalWindowMinutes: settings.GRAPH_RENEWAL_WINDOW_MINUTES,
    withResourceData: Boolean(certificate),
  });
  problems.push(...lifetime.problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    publicBaseUrl: settings.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    subscriptionMinutes: lifetime.minutes,
    renewalWindowMinutes: settings.GRAPH_RENEWAL_WINDOW_MINUTES,
    richNotifications: certificate && certificateId ? { certificate, certificateId } : undefined,
  };
}
