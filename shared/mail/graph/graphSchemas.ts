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
