import { z } from 'zod';

/**
 * What telemetry may take from a queue message, read loosely (the handler validates the
 * message for real): the trace it continues, and the ids operators filter by. Bounded, so
 * a forged message cannot put anything long into an attribute; never the mail.
 */
const queueMessageIdsSchema = z.object({
  traceparent: z.unknown().optional(),
  tenantId: z.string().max(64).optional().catch(undefined),
  instanceId: z.string().max(64).optional().catch(undefined),
});

export type QueueMessageIds = z.output<typeof queueMessageIdsSchema>;

/** The ids a message names, or none when it is not an object. */
export function queueMessageIds(message: unknown): QueueMessageIds {
  const read = queueMessageIdsSchema.safeParse(message);
  return read.success ? read.data : {};
}
