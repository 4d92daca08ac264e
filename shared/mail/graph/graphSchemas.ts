import { z } from 'zod';
import { mailResourceDataSchema } from '../webhooks/mailResourceDataSchema';

/** Graph's `subscription` resource, the fields we read back. */
export const graphSubscriptionSchema = z.object({
  id: z.string().min(1),
  expirationDateTime: z.string().min(1),
  resource: z.string().optional(),
  encryptionCertificateId: z.string().nullish(),
});

export type GraphSubscription = z.output<typeof graphSubscriptionSchema>;

export interface CreateSubscriptionRequest {
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string;
  resource: string;
  expirationDateTime: string;
  clientState: string;
  includeResourceData?: boolean;
  encryptionCertificate?: string;
  encryptionCertificateId?: string;
}

/** One page of `GET /users/{id}/messages`. */
export const messagePageSchema = z.object({
  value: z.array(mailResourceDataSchema),
  '@odata.nextLink': z.string().optional(),
});

/** The fields of Graph's `user` the panel shows: any may be null (a room, a user without a mailbox). */
export const USER_NAME_FIELDS = ['displayName', 'mail', 'userPrincipalName'] as const;

export const graphUserSchema = z.object({
  displayName: z.string().nullish(),
  mail: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
});

export type GraphUser = z.output<typeof graphUserSchema>;

/**
 * Graph's answer to `POST /$batch`: one response per request, in any order, matched by `id`
 * (https://learn.microsoft.com/graph/json-batching). A response's body is the one the request
 * alone would have had, an error envelope included.
 */
export const batchResponseSchema = z.object({
  responses: z.array(z.object({ id: z.string(), status: z.number().int(), body: z.unknown().optional() })),
});

/** Graph's limit of requests in one JSON batch. */
export const MAX_BATCH_REQUESTS = 20;
