import type { RichNotificationDecryptor } from './RichNotificationDecryptor';
import type { SubscriptionLookup } from './SubscriptionLookup';
import type { ValidationTokenVerifier } from './ValidationTokenVerifier';

/** What the webhook functions need, built once per process (the lookup cache and the key set live here). */
export interface GraphWebhooks {
  subscriptions: SubscriptionLookup;
  validationTokens: ValidationTokenVerifier;
  /** Absent when the deployment has no encryption keys (no rich notifications). */
  decryptor: RichNotificationDecryptor | undefined;
}
