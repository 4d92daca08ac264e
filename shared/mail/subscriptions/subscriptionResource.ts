import { MAIL_RESOURCE_FIELDS } from '../webhooks/mailResourceDataSchema';

/**
 * The resource a mailbox subscription watches: the user's messages, with the `$select` of
 * the fields the fan-out needs when the notifications carry resource data.
 */
export function subscriptionResource(userId: string, rich: boolean): string {
  const base = `users/${encodeURIComponent(userId)}/messages`;
  return rich ? `${base}?$select=${MAIL_RESOURCE_FIELDS.join(',')}` : base;
}

export function isRichResource(resource: string): boolean {
  return resource.includes('?$select=');
}
