import { z } from 'zod';
import { traceparentSchema } from '../../platform/telemetry/traceparent';

export const LIFECYCLE_EVENTS = ['reauthorizationRequired', 'subscriptionRemoved', 'missed'] as const;
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

/** One message on `graph-lifecycle`: a lifecycle event for one of our subscriptions. */
export const graphLifecycleMessageSchema = z.object({
  version: z.literal(1),
  /** The trace this message continues (W3C `traceparent`); optional, and a bad one is dropped, so older messages stay valid. */
  traceparent: traceparentSchema.optional().catch(undefined),
  tenantId: z.string().min(1),
  subscriptionId: z.string().min(1),
  userId: z.string().min(1),
  lifecycleEvent: z.enum(LIFECYCLE_EVENTS),
  receivedAt: z.iso.datetime({ offset: true }),
});

export type GraphLifecycleMessage = z.output<typeof graphLifecycleMessageSchema>;
