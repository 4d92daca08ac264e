import { z } from 'zod';

/** Graph sends at most a few hundred items per POST; the cap bounds the work per request. */
export const MAX_BATCH_ITEMS = 1000;

/**
 * The envelope Graph posts. Items stay `unknown` here and are parsed one by one, so one
 * malformed item is dropped instead of failing (and forever re-sending) the whole batch.
 */
export const notificationBatchSchema = z.object({
  value: z.array(z.unknown()).max(MAX_BATCH_ITEMS),
  validationTokens: z.array(z.string().min(1).max(16_384)).max(100).optional(),
});

export type NotificationBatch = z.output<typeof notificationBatchSchema>;

export const encryptedContentSchema = z.object({
  data: z.string().min(1),
  dataSignature: z.string().min(1),
  dataKey: z.string().min(1),
  encryptionCertificateId: z.string().min(1),
  encryptionCertificateThumbprint: z.string().optional(),
});

export type EncryptedContent = z.output<typeof encryptedContentSchema>;

/** One change notification (Graph's `changeNotification` resource), the fields we read. */
export const changeNotificationSchema = z.object({
  subscriptionId: z.string().min(1).max(256),
  clientState: z.string().max(1024).nullish(),
  changeType: z.string().min(1).max(64),
  resource: z.string().min(1).max(2048),
  tenantId: z.string().max(64).nullish(),
  resourceData: z.object({ id: z.string().min(1).max(1024).nullish() }).nullish(),
  encryptedContent: encryptedContentSchema.nullish(),
});

export type ChangeNotification = z.output<typeof changeNotificationSchema>;

/** One lifecycle notification, posted to `lifecycleNotificationUrl`. */
export const lifecycleNotificationSchema = z.object({
  subscriptionId: z.string().min(1).max(256),
  clientState: z.string().max(1024).nullish(),
  lifecycleEvent: z.string().min(1).max(64),
  tenantId: z.string().max(64).nullish(),
});

export type LifecycleNotification = z.output<typeof lifecycleNotificationSchema>;
