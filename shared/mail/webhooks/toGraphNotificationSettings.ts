import type { KeyObject } from 'node:crypto';
import type { Settings } from '../../platform/config/settingsSchema';
import { AppError } from '../../platform/errors/AppError';
import { toSubscriptionSettings, type SubscriptionSettings } from '../subscriptions/SubscriptionSettings';
import { parseEncryptionPrivateKeys } from './parseEncryptionPrivateKeys';

export interface GraphNotificationSettings {
  subscriptions: SubscriptionSettings;
  /** The keys rich notifications are decrypted with, by certificate id; empty without them. */
  privateKeys: Map<string, KeyObject>;
}

/**
 * The Graph subscription and decryption settings, refused as a whole when they do not fit
 * together. Pure and cheap (no SDK), so the worker runs it at start-up beside the settings
 * schema and a bad combination stops it there, not at the first notification.
 */
export function toGraphNotificationSettings(settings: Settings): GraphNotificationSettings {
  const subscriptions = toSubscriptionSettings(settings);
  const privateKeys = settings.GRAPH_ENCRYPTION_PRIVATE_KEYS
    ? parseEncryptionPrivateKeys(settings.GRAPH_ENCRYPTION_PRIVATE_KEYS)
    : new Map<string, KeyObject>();
  const rich = subscriptions.richNotifications;
  // Stop here, before a subscription could ask Graph to encrypt with a key we do not hold.
  if (rich && !privateKeys.has(rich.certificateId)) {
    throw new AppError({
      code: 'config_invalid',
      detail: `GRAPH_ENCRYPTION_PRIVATE_KEYS: no key for certificate id ${rich.certificateId}`,
    });
  }
  return { subscriptions, privateKeys };
}
