import { z } from 'zod';
import { traceparentSchema } from '../../platform/telemetry/traceparent';
import { mailResourceDataSchema } from './mailResourceDataSchema';

/**
 * One message on `graph-notifications`: a new mail in a subscribed mailbox, from a webhook
 * notification or from a catch-up listing (same shape, so the fan-out has one path).
 * `tenantId` and `userId` come from our `subscriptions` row, never from the notification.
 * `resourceData` is present for rich notifications and catch-up: the fan-out then needs
 * no Graph read for the mail.
 */
export const graphNotificationMessageSchema = z.object({
  version: z.literal(1),
  /** The trace this message continues (W3C `traceparent`); optional, and a bad one is dropped, so older messages stay valid. */
  traceparent: traceparentSchema.optional().catch(undefined),
  origin: z.enum(['webhook', 'catchUp']),
  tenantId: z.string().min(1),
  subscriptionId: z.string().min(1),
  /** The mailbox owner's object id, as the subscription's resource names it. */
  userId: z.string().min(1),
  changeType: z.string().min(1),
  /** Graph's resource path, e.g. `Users/{userId}/Messages/{messageId}`. */
  resource: z.string().min(1),
  messageId: z.string().min(1),
  /** When we accepted the notification (or listed the mail), ISO 8601. */
  receivedAt: z.iso.datetime({ offset: true }),
  resourceData: mailResourceDataSchema.optional(),
});

export type GraphNotificationMessage = z.output<typeof graphNotificationMessageSchema>;
