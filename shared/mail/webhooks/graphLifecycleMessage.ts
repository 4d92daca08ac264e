import { z } from 'zod';

export const LIFECYCLE_EVENTS = ['reauthorizationRequired', 'subscriptionRemoved', 'missed'] as const;
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

/** One message on `graph-lifecycle`: a lifecycle event for one of our subscriptions. */
export const graphLifecycleMessageSchema = z.object({
  version: z.literal(1),
  tenantId: z.string().min(1),
  subscriptionId: z.string().min(1),
  userId: z.string().min(1),
  lifecycleEvent: z.enum(LIFECYCLE_EVENTS),
  receivedAt: z.iso.datetime({ offset: true }),
});

export type GraphLifecycleMessage = z.output<typeof graphLifecycleMessageSchema>;
