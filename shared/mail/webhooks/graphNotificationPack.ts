import { z } from 'zod';
import { traceparentSchema } from '../../platform/telemetry/traceparent';
import { graphNotificationMessageSchema } from './graphNotificationMessage';

/** What one notification of a pack keeps of its own; the rest is the pack's. */
export const packedNotificationSchema = graphNotificationMessageSchema.omit({
  version: true,
  traceparent: true,
  origin: true,
  tenantId: true,
  receivedAt: true,
});

/**
 * Version 2 of a `graph-notifications` message: several notifications of one webhook POST
 * (one tenant, one arrival time), so a batch of 100 costs one or two queue writes instead of
 * 100. Each item is still processed on its own, and one that fails goes back alone as a
 * version 1 message (`processMailNotification`). The tenant stays at the top, as in every
 * message of ours, so the poison count and a tenant's replay find it.
 */
export const graphNotificationPackSchema = z.object({
  version: z.literal(2),
  traceparent: traceparentSchema.optional().catch(undefined),
  origin: z.enum(['webhook', 'catchUp']),
  tenantId: z.string().min(1),
  receivedAt: z.iso.datetime({ offset: true }),
  items: z.array(packedNotificationSchema).min(1),
});

export type GraphNotificationPack = z.output<typeof graphNotificationPackSchema>;

/** Whatever may be on `graph-notifications`: one notification (version 1) or a pack (version 2). */
export const graphNotificationsQueueMessageSchema = z.discriminatedUnion('version', [
  graphNotificationMessageSchema,
  graphNotificationPackSchema,
]);
