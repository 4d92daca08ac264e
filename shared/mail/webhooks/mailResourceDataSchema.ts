import { z } from 'zod';

const emailAddressSchema = z.object({
  name: z.string().nullish(),
  address: z.string().nullish(),
});

/**
 * The fields of a Graph `message` the fan-out needs, as selected for rich notifications
 * and catch-up listings. Graph sends `null` for some of them (a draft has no `from`).
 */
export const mailResourceDataSchema = z.object({
  id: z.string().min(1),
  internetMessageId: z.string().nullish(),
  conversationId: z.string().nullish(),
  subject: z.string().nullish(),
  from: z.object({ emailAddress: emailAddressSchema.nullish() }).nullish(),
  receivedDateTime: z.string().nullish(),
  bodyPreview: z.string().nullish(),
  webLink: z.string().nullish(),
  /** A draft is saved, not sent or received: never news for a watcher. */
  isDraft: z.boolean().nullish(),
  /**
   * The mail's RFC 5322 headers; Graph returns them only when `$select`-ed (message
   * resource docs: "Returned only on applying a \$select query option"). Read to recognise
   * automatic replies, bulk mail and Jira's own notifications.
   */
  internetMessageHeaders: z.array(z.object({ name: z.string(), value: z.string().nullish() })).nullish(),
});

export type MailResourceData = z.output<typeof mailResourceDataSchema>;

/**
 * The `$select` that yields exactly `mailResourceDataSchema`'s fields, also a rich subscription's
 * resource: Graph refuses only `body` and `uniqueBody` there ("$select=body,uniqueBody … are not
 * supported in subscription resource Url", microsoftgraph/microsoft-graph-docs#17004).
 */
export const MAIL_RESOURCE_FIELDS = [
  'id',
  'internetMessageId',
  'conversationId',
  'subject',
  'from',
  'receivedDateTime',
  'bodyPreview',
  'webLink',
  'isDraft',
  'internetMessageHeaders',
] as const;
