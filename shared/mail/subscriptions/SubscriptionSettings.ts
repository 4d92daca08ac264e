import { AppError } from '../../platform/errors/AppError';

export interface RichNotificationSettings {
  /** Base64 DER of the certificate Graph encrypts resource data with. */
  certificate: string;
  /** Our name for it; Graph echoes it in every encrypted item, so we know which key to use. */
  certificateId: string;
}

export interface SubscriptionSettings {
  /** `PUBLIC_BASE_URL`, the app's root (no `/api`), no trailing slash. */
  publicBaseUrl: string;
  subscriptionMinutes: number;
  renewalWindowMinutes: number;
  /** Present when the deployment receives rich notifications. */
  richNotifications: RichNotificationSettings | undefined;
}

interface SettingsSource {
  PUBLIC_BASE_URL: string;
  GRAPH_SUBSCRIPTION_MINUTES: number;
  GRAPH_RENEWAL_WINDOW_MINUTES: number;
  GRAPH_ENCRYPTION_CERTIFICATE?: string | undefined;
  GRAPH_ENCRYPTION_CERTIFICATE_ID?: string | undefined;
}

/** The subscription part of the settings; a certificate without its id is a configuration error. */
export function toSubscriptionSettings(settings: SettingsSource): SubscriptionSettings {
  const certificate = settings.GRAPH_ENCRYPTION_CERTIFICATE?.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '');
  const certificateId = settings.GRAPH_ENCRYPTION_CERTIFICATE_ID;
  if (certificate && !certificateId)
    throw new AppError({ code: 'config_invalid', detail: 'GRAPH_ENCRYPTION_CERTIFICATE_ID: required with GRAPH_ENCRYPTION_CERTIFICATE' });
  return {
    publicBaseUrl: settings.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    subscriptionMinutes: settings.GRAPH_SUBSCRIPTION_MINUTES,
    renewalWindowMinutes: settings.GRAPH_RENEWAL_WINDOW_MINUTES,
    richNotifications: certificate && certificateId ? { certificate, certificateId } : undefined,
  };
}
